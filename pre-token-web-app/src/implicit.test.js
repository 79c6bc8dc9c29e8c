import { describe, expect, it } from "vitest";
import { chosenFlow } from "./config.js";
import {
  forgetImplicitSession,
  forgetImplicitState,
  implicitLoginUrl,
  readImplicitResult,
  rememberImplicitSession,
  storedImplicitSession,
} from "./implicit.js";

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
    expect(readImplicitResult("#id_token=i&access_token=a&expires_in=300&state=s1", storage)).toEqual(
      { idToken: "i", accessToken: "a", expiresIn: 300 });
  });
  it("refuses a response with another state", () => {
    const storage = memoryStorage();
    implicitLoginUrl(config, storage, () => "s1");
    expect(readImplicitResult("#id_token=i&state=other", storage).error).toMatch(/state mismatch/);
  });
  it("reads the same answer twice (StrictMode renders twice), until the state is forgotten", () => {
    const storage = memoryStorage();
    implicitLoginUrl(config, storage, () => "s1");
    const hash = "#id_token=i&access_token=a&state=s1";
    expect(readImplicitResult(hash, storage)).toEqual(readImplicitResult(hash, storage));
    expect(readImplicitResult(hash, storage).idToken).toBe("i");
    forgetImplicitState(storage);
    expect(readImplicitResult(hash, storage).error).toMatch(/state mismatch/);
  });
  it("ignores a page without a response", () => {
    expect(readImplicitResult("", memoryStorage())).toBeNull();
  });
});

describe("the implicit session across a reload", () => {
  it("is kept until the tokens expire, then dropped", () => {
    const storage = memoryStorage();
    rememberImplicitSession({ idToken: "i", accessToken: "a", expiresIn: 60 }, storage, 1_000);
    expect(storedImplicitSession(storage, 30_000)).toEqual({ idToken: "i", accessToken: "a" });
    expect(storedImplicitSession(storage, 61_000)).toBeNull();
    expect(storedImplicitSession(storage, 30_000)).toBeNull();
  });
  it("is gone after sign-out, and an unreadable one counts as none", () => {
    const storage = memoryStorage();
    rememberImplicitSession({ idToken: "i", accessToken: "a", expiresIn: 60 }, storage, 0);
    forgetImplicitSession(storage);
    expect(storedImplicitSession(storage, 1)).toBeNull();
    storage.setItem("claimsctl.implicit.session", "{not json");
    expect(storedImplicitSession(storage, 1)).toBeNull();
  });
  it("keeps the reloaded page on the implicit flow", () => {
    expect(chosenFlow("", "", true)).toBe("implicit");
    expect(chosenFlow("", "", false)).toBe("code");
  });
});

describe("which flow answers", () => {
  it("is the implicit flow when the fragment carries tokens, though the redirect dropped ?flow=implicit", () => {
    expect(chosenFlow("", "#id_token=a.b.c&access_token=d.e.f&state=s")).toBe("implicit");
    expect(chosenFlow("", "#error=access_denied&state=s")).toBe("implicit");
  });

  it("is the code flow for a code in the query, and by default", () => {
    expect(chosenFlow("?code=abc&state=s", "")).toBe("code");
    expect(chosenFlow("", "")).toBe("code");
    expect(chosenFlow("?flow=implicit", "")).toBe("implicit");
  });
});
