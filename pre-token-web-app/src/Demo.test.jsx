import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { Demo } from "./Demo.jsx";
import { fakeToken } from "./testing.js";

const config = { userPoolId: "us-east-1_X", triggerVersion: "V1_0", claimName: "projects" };
const future = Math.floor(Date.now() / 1000) + 3600;
const session = (idClaims, accessClaims = {}) => ({
  idToken: fakeToken({ "cognito:username": "alice", exp: future, ...idClaims }),
  accessToken: fakeToken({ username: "alice", exp: future, ...accessClaims }),
});

afterEach(cleanup);

describe("Demo", () => {
  it("shows the Login button when signed out", () => {
    const onLogin = vi.fn();
    render(<Demo config={config} session={null} onLogin={onLogin} onLogout={vi.fn()} />);
    fireEvent.click(screen.getByRole("button", { name: "Login" }));
    expect(onLogin).toHaveBeenCalled();
  });

  it("shows each project's role and the other claims the project added", () => {
    render(<Demo config={config} session={session({ projects: "p1:owner,p2:editor,p3", tenant: "acme" })}
      onLogin={vi.fn()} onLogout={vi.fn()} />);
    expect(screen.getAllByTestId("role").map((item) => item.textContent)).toEqual(["owner", "editor", "viewer"]);
    expect(screen.getByTestId("other-claims").textContent).toBe("tenantacme");
  });

  it("lists the user's projects and highlights the claim in the token detail", () => {
    render(<Demo config={config} session={session({ projects: "p1,p2" })} onLogin={vi.fn()} onLogout={vi.fn()} />);
    expect(screen.getByTestId("username").textContent).toBe("alice");
    expect(screen.getAllByTestId("project").map((item) => item.textContent)).toEqual(["p1", "p2"]);
    expect(screen.getAllByTestId("role").map((item) => item.textContent)).toEqual(["viewer", "viewer"]);
    fireEvent.click(screen.getByRole("button", { name: "Show Token Detail" }));
    const highlighted = screen.getAllByTestId("custom-claim");
    expect(highlighted).toHaveLength(1);
    expect(highlighted[0].textContent).toContain('"projects": "p1,p2"');
    expect(screen.getByText("No “projects” claim in this token.")).toBeTruthy();
  });

  it("highlights a V2 list claim in both tokens", () => {
    const both = session({ projects: ["a", "b"] }, { projects: ["a", "b"] });
    render(<Demo config={{ ...config, triggerVersion: "V2_0" }} session={both} onLogin={vi.fn()} onLogout={vi.fn()} />);
    fireEvent.click(screen.getByRole("button", { name: "Show Token Detail" }));
    expect(screen.getAllByTestId("custom-claim")).toHaveLength(2);
  });

  it("explains a claim that overflowed the token", () => {
    render(<Demo config={config} session={session({ projects: "", projects_overflow: "true" })} onLogin={vi.fn()} onLogout={vi.fn()} />);
    expect(screen.getByTestId("overflow").textContent).toContain("more projects than fit in a token");
  });

  it("says the projects are looked up when they did not fit in the token", () => {
    render(<Demo config={config} session={session({ projects: "", "claimsctl:lookup": "row" })} onLogin={vi.fn()} onLogout={vi.fn()} />);
    expect(screen.getByTestId("lookup").textContent).toContain("reads them from your row");
    expect(screen.queryByTestId("no-projects")).toBeNull();
  });

  it("says so when the session has expired", () => {
    const old = { idToken: fakeToken({ "cognito:username": "alice", exp: 1 }), accessToken: fakeToken({ exp: 1 }) };
    render(<Demo config={config} session={old} onLogin={vi.fn()} onLogout={vi.fn()} />);
    expect(screen.getByRole("alert").textContent).toContain("expired");
    expect(screen.getByRole("button", { name: "Login" })).toBeTruthy();
  });

  it("shows a sign-in error", () => {
    render(<Demo config={config} session={null} error="Sign-in failed: boom" onLogin={vi.fn()} onLogout={vi.fn()} />);
    expect(screen.getByRole("alert").textContent).toBe("Sign-in failed: boom");
  });

  it("refreshes through onRefresh when the flow holds a refresh token, and says when that fails", async () => {
    const onRefresh = vi.fn().mockRejectedValueOnce(new Error("invalid_grant")).mockResolvedValue(undefined);
    render(<Demo config={config} session={session({ projects: "p1" })} onLogin={vi.fn()} onLogout={vi.fn()}
      onRefresh={onRefresh} />);
    fireEvent.click(screen.getByRole("button", { name: "Refresh Tokens" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Refresh failed: invalid_grant");
    fireEvent.click(await screen.findByRole("button", { name: "Refresh Tokens" }));
    await vi.waitFor(() => expect(screen.queryByRole("alert")).toBeNull());
    expect(onRefresh).toHaveBeenCalledTimes(2);
  });

  it("offers no refresh without a refresh token (the implicit flow)", () => {
    render(<Demo config={config} session={session({ projects: "p1" })} onLogin={vi.fn()} onLogout={vi.fn()} />);
    expect(screen.queryByRole("button", { name: "Refresh Tokens" })).toBeNull();
  });
});
