"""Lambda without Docker: boto3's invoke against the emulator, warm workers, errors shaped like Lambda's."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from tests.emulator.helpers import make_function, zip_source


def invoke(lam: Any, arn: str, event: Any = None) -> tuple[Any, dict[str, Any]]:
    response = lam.invoke(FunctionName=arn, Payload=json.dumps(event or {}), LogType="Tail")
    return json.loads(response["Payload"].read()), response


def test_handler_gets_event_env_and_endpoint_and_logs_come_back(lam: Any, endpoint: str) -> None:
    arn = make_function(lam, """
        import os
        def handler(event, context):
            print("got", event["name"])
            return {"hello": event["name"], "color": os.environ["COLOR"], "endpoint": os.environ["AWS_ENDPOINT_URL"],
                    "remaining": context.get_remaining_time_in_millis() > 0, "fn": context.function_name}
    """, env={"COLOR": "blue"})
    payload, response = invoke(lam, arn, {"name": "ada"})
    assert payload["hello"] == "ada" and payload["color"] == "blue" and payload["remaining"] is True
    assert payload["endpoint"] == endpoint
    assert "FunctionError" not in response
    logs = base64.b64decode(response["LogResult"]).decode()
    assert "got ada" in logs and "START RequestId" in logs and "REPORT RequestId" in logs


def test_an_unhandled_error_is_shaped_like_lambdas(lam: Any) -> None:
    arn = make_function(lam, """
        def handler(event, context):
            raise ValueError("no such project")
    """)
    payload, response = invoke(lam, arn)
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "ValueError"
    assert payload["errorMessage"] == "no such project"
    assert any("index.py" in frame for frame in payload["stackTrace"])
    assert "ValueError: no such project" in base64.b64decode(response["LogResult"]).decode()


def test_the_timeout_is_enforced_and_the_next_call_works(lam: Any) -> None:
    arn = make_function(lam, """
        import time
        def handler(event, context):
            if event.get("hang"):
                time.sleep(30)
            return "ok"
    """, timeout=1)
    started = time.monotonic()
    payload, response = invoke(lam, arn, {"hang": True})
    assert time.monotonic() - started < 5
    assert response["FunctionError"] == "Unhandled"
    assert "Task timed out after 1.00 seconds" in payload["errorMessage"]
    assert invoke(lam, arn)[0] == "ok"


def test_workers_stay_warm_and_a_code_update_replaces_them(lam: Any) -> None:
    arn = make_function(lam, """
        import os
        calls = 0
        def handler(event, context):
            global calls
            calls += 1
            return {"calls": calls, "pid": os.getpid(), "version": "one"}
    """)
    first, _ = invoke(lam, arn)
    second, _ = invoke(lam, arn)
    assert (second["calls"], second["pid"]) == (first["calls"] + 1, first["pid"])
    lam.update_function_code(FunctionName=arn, ZipFile=zip_source("""
        def handler(event, context):
            return {"version": "two"}
    """))
    assert invoke(lam, arn)[0] == {"version": "two"}


def test_megabytes_of_output_and_bad_return_values_do_not_hurt_the_server(lam: Any) -> None:
    arn = make_function(lam, """
        import sys
        def handler(event, context):
            if event.get("object"):
                return object()
            sys.stdout.write("x" * 5_000_000)
            return "done"
    """)
    payload, response = invoke(lam, arn)
    assert payload == "done"
    assert len(base64.b64decode(response["LogResult"])) <= 4096
    payload, response = invoke(lam, arn, {"object": True})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.MarshalError"
    assert lam.list_functions()["Functions"]


def test_an_import_error_is_reported_on_invoke(lam: Any) -> None:
    arn = make_function(lam, "import module_that_does_not_exist\n")
    payload, response = invoke(lam, arn)
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.ImportModuleError"
