"""`"mfa": "required"` end to end from the CLI, driven as a user drives it: `claimsctl login` in its own process,
reading the enrolment key it shows, answering with an authenticator's code, then signing in again with a fresh
code. The claim is shown only after the second factor."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import threading
import time
from urllib.parse import parse_qs, urlparse

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from tests.conftest import ROOT, Cli, Project

PASSWORD = "Mfa-Passw0rd!x"


def totp_code(secret: str, offset_steps: int = 0) -> str:
    totp = TOTP(base64.b32decode(secret), 6, SHA1(), 30, enforce_key_length=False)  # noqa: S303 - RFC 6238
    return totp.generate(time.time() + 30 * offset_steps).decode()


def login(project: Project, endpoint: str, answer: str | None, secret: str | None = None) -> tuple[int, str, str]:
    """Run `claimsctl login alice`; when it shows an enrolment key, answer with that key's code. Bounded by
    timeouts throughout."""
    command = [sys.executable, str(ROOT / "cli.py"), "login", "alice", "--password-stdin", "--totp-code-stdin",
               "--output", "json", "--inputs", str(project.inputs_path)]
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint}
    if answer is not None:
        done = subprocess.run(command, input=f"{PASSWORD}\n{answer}\n", capture_output=True, text=True, env=env,
                              timeout=120, check=False)
        return done.returncode, done.stdout, done.stderr
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    assert process.stdin is not None and process.stderr is not None
    process.stdin.write(PASSWORD + "\n")
    process.stdin.flush()
    seen: list[str] = []
    found = threading.Event()

    def read_stderr() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            seen.append(line)
            if "otpauth://" in line:
                found.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    assert found.wait(timeout=120), "".join(seen)
    uri = next(line for line in seen if "otpauth://" in line).strip()
    key = parse_qs(urlparse(uri[uri.index("otpauth://"):]).query)["secret"][0]
    process.stdin.write(totp_code(key) + "\n")
    process.stdin.close()
    assert process.stdout is not None
    out = process.stdout.read()
    process.wait(timeout=120)
    reader.join(timeout=10)
    return process.returncode, out, key


def test_required_mfa_enrols_then_asks_for_a_fresh_code_and_only_then_shows_the_claim(
        cli: Cli, project: Project, endpoint: str) -> None:
    project.write(mfa="required", api="none")
    assert cli("deploy", "--yes").exit_code == 0
    added = cli("add-user", "--username", "alice", "--email", "alice@example.com", "--projects", "p1,p2",
                "--password-stdin", input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output

    assert '"mfa": "none"' in cli("list-users", "--output", "json").output
    code, out, secret = login(project, endpoint, answer=None)  # MFA_SETUP: enrol with the shown key
    assert code == 0, out
    assert '"mfa": "totp"' in cli("list-users", "--output", "json").output
    assert re.fullmatch(r"[A-Z2-7]{32}", secret) and '"projects": "p1,p2"' in out

    wrong = "000000" if totp_code(secret, 1) != "000000" else "111111"
    code, out, err = login(project, endpoint, answer=wrong)
    assert code == 1 and "authenticator code is wrong" in err and "projects" not in out

    code, out, err = login(project, endpoint, answer=totp_code(secret, offset_steps=1))
    assert code == 0, err
    assert '"projects": "p1,p2"' in out
    assert secret not in err  # the key is shown at enrolment only
    assert cli("teardown", "--yes").exit_code == 0
