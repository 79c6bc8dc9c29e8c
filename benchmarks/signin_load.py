"""Sign-in with the trigger: first and warm latency, and sign-ins per second with 1, 4 and 16 clients, with the
trigger and, on the same emulator, without one."""

from __future__ import annotations

import time
from typing import Any

from benchmarks.common import summary_ms
from benchmarks.peer import PASSWORD as PASSWORD_PEER
from benchmarks.peer import USERNAME as USERNAME_PEER
from benchmarks.peer import sign_in_client, throughput
from benchmarks.stack import PASSWORD, Deployed


def run(stack: Deployed, calls: int = 200) -> dict[str, Any]:
    stack.claimsctl("add-user", "--username", "loader", "--email", "l@example.com", "--projects", "p1,p2",
                    "--password-stdin", stdin=PASSWORD + "\n")

    idp = stack.client("cognito-idp")  # one client, warmed: its own first call is not the emulator's
    idp.list_user_pools(MaxResults=1)

    def one(_: int) -> float:
        started = time.perf_counter()
        idp.initiate_auth(ClientId=stack.outputs["UserPoolClientId"], AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "loader", "PASSWORD": PASSWORD})
        return time.perf_counter() - started

    first = one(0)  # the trigger's first invocation: its worker was started when the pool was created
    warm = [one(i) for i in range(calls)]
    with_trigger = throughput(lambda: one(0), calls)
    idp, client = sign_in_client(stack.emulator.url)
    without_trigger = throughput(lambda: idp.initiate_auth(
        ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": USERNAME_PEER, "PASSWORD": PASSWORD_PEER}), calls)
    return {"first_ms": round(first * 1000, 1), "warm": summary_ms(warm),
            "first_over_warm_p50": round(first * 1000 / summary_ms(warm)["p50_ms"], 2),
            **with_trigger, "without_trigger": without_trigger}
