"""Sign-ins per second at 16 clients: cognito-local without a trigger against the emulator with the trigger,
in alternating rounds, and the median of the per-round ratios.

On a small shared machine the speed drifts from minute to minute by more than the gap being measured, so a
peer figure taken at the start of a run and ours taken minutes later can differ by a third either way. Each
round here measures the peer and then us within seconds of each other. cognito-local is started fresh for
its half of each round and stopped before ours: left running, it keeps working in the background after a
burst (its database is a file) and takes CPU from the emulator's half, and its own rate falls round by
round as that database grows.

Run: python -m benchmarks.signin_vs_peer [--rounds 5] [--calls 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
from typing import Any

from benchmarks import peer
from benchmarks.common import save
from benchmarks.stack import PASSWORD, Deployed, deployed

CLIENTS = 16


def _ours(stack: Deployed) -> Any:
    stack.claimsctl("add-user", "--username", "paired", "--email", "paired@example.com", "--projects", "p1,p2",
                    "--password-stdin", stdin=PASSWORD + "\n")
    idp = stack.client("cognito-idp")
    client_id = stack.outputs["UserPoolClientId"]
    return lambda: idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": "paired", "PASSWORD": PASSWORD})


def _theirs(url: str) -> Any:
    idp, client_id = peer.sign_in_client(url)
    return lambda: idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": peer.USERNAME, "PASSWORD": peer.PASSWORD})


def run(stack: Deployed, rounds: int = 5, calls: int = 200) -> dict[str, Any]:
    ours = _ours(stack)
    pairs = []
    with peer.installed_peer() as folder:
        for _ in range(rounds):
            with peer.started_peer(folder) as url:
                peer_rate = peer.throughput(_theirs(url), calls, (CLIENTS,))[f"{CLIENTS}_clients_per_s"]
            our_rate = peer.throughput(ours, calls, (CLIENTS,))[f"{CLIENTS}_clients_per_s"]
            pairs.append({"peer_per_s": peer_rate, "ours_with_trigger_per_s": our_rate,
                          "ratio": round(our_rate / peer_rate, 2)})
    ratios = [pair["ratio"] for pair in pairs]
    return {"package": peer.COGNITO_LOCAL, "clients": CLIENTS, "rounds": pairs,
            "median_ratio": round(statistics.median(ratios), 2), "min_ratio": min(ratios), "max_ratio": max(ratios)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    with deployed(api="none") as stack:
        result = run(stack, args.rounds, args.calls)
    print(json.dumps(result, indent=2))
    print(f"results: {save('signin_vs_peer', result)}")


if __name__ == "__main__":
    main()
