"""A deployed stack on a local emulator process, shared by the benchmarks."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from benchmarks.common import ROOT, RunningEmulator, emulator, env_with

PASSWORD = "Bench-Passw0rd!x"


@dataclass
class Deployed:
    emulator: RunningEmulator
    inputs: Path
    outputs: dict[str, str]

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.emulator.url, region_name="us-east-1",
                            aws_access_key_id="bench", aws_secret_access_key="bench")

    def claimsctl(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run([sys.executable, str(ROOT / "cli.py"), *args, "--inputs", str(self.inputs)],
                                input=stdin, capture_output=True, text=True, env=env_with(self.emulator.url),
                                check=True, timeout=600)
        return result.stdout

    def stats(self) -> dict[str, Any]:
        import urllib.request

        return json.loads(urllib.request.urlopen(f"{self.emulator.url}/_claimsctl/stats", timeout=10).read())  # type: ignore[no-any-return]

    def sign_in(self, username: str) -> dict[str, str]:
        result = self.client("cognito-idp").initiate_auth(
            ClientId=self.outputs["UserPoolClientId"], AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
        return result["AuthenticationResult"]  # type: ignore[no-any-return]


@contextmanager
def deployed(**changes: Any) -> Iterator[Deployed]:
    with emulator() as running, tempfile.TemporaryDirectory() as folder:
        inputs = json.loads((ROOT / "stackInputs.json").read_text())
        inputs.update(stackName="bench", userPoolDomainName="bench-domain", usersTableName="bench-users",
                      web={"hosting": "none"}, **changes)
        (Path(folder) / "pre-token-web-app").mkdir()
        path = Path(folder) / "stackInputs.json"
        path.write_text(json.dumps(inputs))
        stack = Deployed(running, path, {})
        stack.outputs = json.loads(stack.claimsctl("deploy", "--yes", "--output", "json"))["outputs"]
        yield stack
