"""What the service-model input rules (claimsctl/local/model_rules.py) add to each AWS call the emulator serves.

For each call below, in one in-process emulator: the time spent inside the check itself (parsing the request with
moto's botocore-model parser, then walking the input shape; measured around `model_rules.refusal`), and the
client's median round trip with the check on and off (rounds alternate, as the shared machine drifts).

Run: python -m benchmarks.model_rules [--calls 400]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3

from benchmarks.common import save

PASSWORD = "Bench-Passw0rd!x"


@contextmanager
def _timed_checks(samples: list[float]) -> Iterator[None]:
    from claimsctl.local import model_rules

    original = model_rules.refusal

    def refusal(response: Any, request: Any) -> str | None:
        started = time.perf_counter()
        try:
            return original(response, request)
        finally:
            samples.append(time.perf_counter() - started)

    model_rules.refusal = refusal  # type: ignore[assignment]
    try:
        yield
    finally:
        model_rules.refusal = original  # type: ignore[assignment]


@contextmanager
def _checks_off() -> Iterator[None]:
    from claimsctl.local import model_rules

    saved = dict(model_rules.ERRORS)
    model_rules.ERRORS.clear()  # no service is checked: refusal() returns at its first line
    try:
        yield
    finally:
        model_rules.ERRORS.update(saved)


def _calls(endpoint: str) -> dict[str, Callable[[], Any]]:
    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench",
                            aws_secret_access_key="bench")

    idp, ddb, apigw = client("cognito-idp"), client("dynamodb"), client("apigateway")
    pool_id = idp.create_user_pool(PoolName="bench-rules")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app",
                                            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])[
        "UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool_id, Username="bench", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="bench", Password=PASSWORD, Permanent=True)
    ddb.create_table(TableName="bench-rules", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "userName", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "userName", "KeyType": "HASH"}])
    ddb.put_item(TableName="bench-rules", Item={"userName": {"S": "bench"}, "projects": {"SS": ["p1", "p2"]}})
    api_id = apigw.create_rest_api(name="bench-rules")["id"]
    return {
        "cognito InitiateAuth": lambda: idp.initiate_auth(
            ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "bench", "PASSWORD": PASSWORD}),
        "cognito DescribeUserPoolClient": lambda: idp.describe_user_pool_client(UserPoolId=pool_id,
                                                                                ClientId=client_id),
        "dynamodb GetItem": lambda: ddb.get_item(TableName="bench-rules", Key={"userName": {"S": "bench"}}),
        "apigateway GetAuthorizers": lambda: apigw.get_authorizers(restApiId=api_id),
    }


def _median_ms(call: Callable[[], Any], count: int) -> float:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def run(calls: int = 400) -> dict[str, Any]:
    from claimsctl.local.server import Emulator

    result: dict[str, Any] = {"calls_per_operation": calls}
    with Emulator(port=0) as emulator:
        for name, call in _calls(emulator.endpoint_url).items():
            for _ in range(20):
                call()  # warm: connections, caches, compiled patterns
            inside: list[float] = []
            with _timed_checks(inside):
                for _ in range(calls):
                    call()
            on, off = [], []
            for _ in range(4):  # alternate: the machine is shared and drifts
                on.append(_median_ms(call, calls // 4))
                with _checks_off():
                    off.append(_median_ms(call, calls // 4))
            result[name] = {
                "check_median_us": round(statistics.median(inside) * 1e6, 1),
                "check_p95_us": round(sorted(inside)[int(len(inside) * 0.95)] * 1e6, 1),
                "round_trip_on_ms": round(statistics.median(on), 3),
                "round_trip_off_ms": round(statistics.median(off), 3),
            }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=400)
    args = parser.parse_args()
    result = run(args.calls)
    print(json.dumps(result, indent=2))
    print(f"results: {save('model_rules', result)}")


if __name__ == "__main__":
    main()
