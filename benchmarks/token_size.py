"""Token size against the number of projects, for V1 and V2, against API Gateway's 10,240-byte header limit."""

from __future__ import annotations

from typing import Any

from benchmarks.stack import PASSWORD, Deployed

COUNTS = (1, 10, 50, 100, 200, 300, 400, 500, 1000, 2000)
HEADER_LIMIT = 10_240
OTHER_HEADERS = 400  # request line, Host, User-Agent, Accept...: a typical browser or SDK request


def _set_cap(stack: Deployed, limit: int) -> None:
    lam = stack.client("lambda")
    name = stack.outputs["TriggerFunctionName"]
    variables = lam.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": {**variables,
                                                                                  "MAX_CLAIM_BYTES": str(limit)}})


def _sizes(stack: Deployed, token_kind: str, role: str = "", counts: tuple[int, ...] = COUNTS) -> list[dict[str, Any]]:
    rows = []
    for count in counts:
        projects = ",".join(f"project-{n:04d}{role}" for n in range(count))
        name = f"size{count}{role.replace(':', '-')}"
        stack.claimsctl("add-user", "--username", name, "--email", f"{name}@example.com", "--projects",
                        projects, "--password-stdin", stdin=PASSWORD + "\n")
        token = stack.sign_in(name)[token_kind]
        header = len("Authorization: ") + len(token) + OTHER_HEADERS
        rows.append({"projects": count, "token_bytes": len(token), "request_bytes": header,
                     "fits": header <= HEADER_LIMIT})
    return rows


def run(stack: Deployed, version: str) -> dict[str, Any]:
    token_kind = "IdToken" if version == "V1_0" else "AccessToken"
    _set_cap(stack, 10**9)
    uncapped = _sizes(stack, token_kind)
    _set_cap(stack, 5000)
    capped = _sizes(stack, token_kind)
    first_too_big = next((row["projects"] for row in uncapped if not row["fits"]), None)
    with_roles = _sizes(stack, token_kind, ":editor", (100, 200))

    def per_project(rows: list[dict[str, Any]]) -> float:
        by_count = {row["projects"]: row["token_bytes"] for row in rows}
        return round(float(by_count[200] - by_count[100]) / 100, 1)

    return {"uncapped": uncapped, "capped": capped, "first_count_over_limit": first_too_big, "with_roles": with_roles,
            "bytes_per_project": per_project(capped), "bytes_per_project_with_roles": per_project(with_roles)}
