"""The emulator's memory as sign-ins accumulate: resident size after a first and a second count of sign-ins.

Run: python -m benchmarks.memory [--first 1000] [--second 100000] [--clients 16]
Prints both sizes and the growth per 1,000 sign-ins. The issue's goal is under 50 MB between 1,000 and 100,000.
"""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from benchmarks.common import rss_mb, save
from benchmarks.stack import PASSWORD, Deployed, deployed


def sign_ins(stack: Deployed, count: int, clients: int) -> None:
    idp = stack.client("cognito-idp")

    def one(_: int) -> None:
        idp.initiate_auth(ClientId=stack.outputs["UserPoolClientId"], AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "memory", "PASSWORD": PASSWORD})

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, range(count)))


def run(first: int, second: int, clients: int) -> dict[str, Any]:
    with deployed(api="none") as stack:
        stack.claimsctl("add-user", "--username", "memory", "--email", "m@example.com", "--projects", "p1,p2",
                        "--password-stdin", stdin=PASSWORD + "\n")
        sign_ins(stack, first, clients)
        after_first = rss_mb(stack.emulator.process.pid)
        sign_ins(stack, second - first, clients)
        after_second = rss_mb(stack.emulator.process.pid)
    growth = (after_second - after_first) / max(1, second - first) * 1000
    return {"first": first, "second": second, "rss_after_first_mb": after_first, "rss_after_second_mb": after_second,
            "growth_mb_per_1000_sign_ins": round(growth, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--first", type=int, default=1000)
    parser.add_argument("--second", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=16)
    arguments = parser.parse_args()
    result = run(arguments.first, arguments.second, arguments.clients)
    print(json.dumps(result, indent=2))
    print(f"results: {save('memory', result)}")


if __name__ == "__main__":
    main()
