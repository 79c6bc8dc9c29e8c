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


def _sizes(stack: Deployed, token_kind: str) -> list[dict[str, Any]]:
    rows = []
    for count in COUNTS:
        projects = ",".join(f"project-{n:04d}" for n in range(count))
        stack.claimsctl("add-user", "--username", f"size{count}", "--email", f"s{count}@example.com", "--projects",
                        projects, "--password-stdin", stdin=PASSWORD + "\n")
        token = stack.sign_in(f"size{count}")[token_kind]
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
    return {"uncapped": uncapped, "capped": capped, "first_count_over_limit": first_too_big}
