import { describe, expect, it } from "vitest";
import { implicitLoginUrl, readImplicitResult } from "./implicit.js";

function memoryStorage() {
  const values = new Map();
  return { getItem: (k) => values.get(k) ?? null, setItem: (k, v) => values.set(k, v), removeItem: (k) => values.delete(k) };
}

const config = { clientId: "c1", redirectUrl: "http://localhost:8081/", hostedUiUrl: "http://127.0.0.1:4566/hosted-ui/demo" };

describe("implicit flow", () => {
  it("builds the authorize URL and accepts the matching response", () => {
    const storage = memoryStorage();
    const url = new URL(implicitLoginUrl(config, storage, () => "s1"));
    expect(url.pathname).toBe("/hosted-ui/demo/oauth2/authorize");
    expect(url.searchParams.get("response_type")).toBe("token");
    expect(readImplicitResult("#id_token=i&access_token=a&state=s1", storage)).toEqual({ idToken: "i", accessToken: "a" });
  });
  it("refuses a response with another state", () => {
    const storage = memoryStorage();
    implicitLoginUrl(config, storage, () => "s1");
    expect(readImplicitResult("#id_token=i&state=other", storage).error).toMatch(/state mismatch/);
  });
  it("ignores a page without a response", () => {
    expect(readImplicitResult("", memoryStorage())).toBeNull();
  });
});
