import { describe, expect, it } from "vitest";
import { fakeToken } from "./testing.js";
import { decodeToken, isExpired, projectsFrom } from "./tokens.js";

describe("projectsFrom", () => {
  it("reads a V1 comma-separated string", () => {
    expect(projectsFrom({ projects: "p1,p2" }, "projects")).toEqual(["p1", "p2"]);
  });
  it("reads a V2 list", () => {
    expect(projectsFrom({ projects: ["a", "b"] }, "projects")).toEqual(["a", "b"]);
  });
  it("treats an empty or missing claim as no projects", () => {
    expect(projectsFrom({ projects: "" }, "projects")).toEqual([]);
    expect(projectsFrom({}, "projects")).toEqual([]);
    expect(projectsFrom(null, "projects")).toEqual([]);
  });
});

describe("decodeToken", () => {
  it("returns header and payload", () => {
    const decoded = decodeToken(fakeToken({ sub: "x", projects: "p1" }));
    expect(decoded.header.kid).toBe("k");
    expect(decoded.payload.projects).toBe("p1");
  });
  it("returns null for garbage", () => {
    expect(decodeToken("not-a-token")).toBeNull();
  });
});

describe("isExpired", () => {
  it("compares exp with now", () => {
    expect(isExpired({ exp: 100 }, 200)).toBe(true);
    expect(isExpired({ exp: 300 }, 200)).toBe(false);
  });
});
