"""cognito-local, the Node peer emulator, measured the same way as claimsctl's: sign-ins per second, no trigger.

The benchmark installs cognito-local (pinned) with npm into a scratch folder, starts it on a free loopback port,
creates a pool, a client and a user through its API, times USER_PASSWORD_AUTH sign-ins at 1, 4 and 16 clients,
and stops it. Nothing is kept.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3

COGNITO_LOCAL = "cognito-local@5.3.0"
PASSWORD = f"Peer-{secrets.token_urlsafe(8)}-9a!"
USERNAME = "peer@example.com"  # cognito-local's pools take email user names


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def installed_peer() -> Iterator[Path]:
    """A scratch folder with cognito-local installed by npm; removed afterwards."""
    if shutil.which("npm") is None:
        raise RuntimeError("npm is needed to install cognito-local")
    with tempfile.TemporaryDirectory(prefix="cognito-local-") as folder:
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", COGNITO_LOCAL], cwd=folder,
                       check=True, timeout=600, capture_output=True)
        yield Path(folder)


@contextmanager
def started_peer(folder: Path) -> Iterator[str]:
    """cognito-local's endpoint URL while it runs from an installed folder, with empty state; stopped after."""
    shutil.rmtree(folder / ".cognito", ignore_errors=True)  # its database: each start begins empty
    port = _free_port()
    process = subprocess.Popen([str(folder / "node_modules" / ".bin" / "cognito-local")], cwd=folder,
                               env={**os.environ, "PORT": str(port), "HOST": "127.0.0.1"},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def running_peer() -> Iterator[str]:
    """cognito-local's endpoint URL while it runs."""
    with installed_peer() as folder, started_peer(folder) as url:
        yield url


def _wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answers (with an error page for GET /): it is up
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"cognito-local did not start at {url}")


def sign_in_client(url: str) -> tuple[Any, str]:
    """A Cognito client of this endpoint, and an app client id with the user USERNAME that can sign in."""
    idp = boto3.client("cognito-idp", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x",
                       aws_secret_access_key="x")
    pool = idp.create_user_pool(PoolName="peer")["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="c",
                                         ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool, Username=USERNAME, MessageAction="SUPPRESS", TemporaryPassword=PASSWORD)
    idp.admin_set_user_password(UserPoolId=pool, Username=USERNAME, Password=PASSWORD, Permanent=True)
    return idp, str(client)


def throughput(sign_in: Callable[[], Any], calls: int, clients_list: tuple[int, ...] = (1, 4, 16)) -> dict[str, float]:
    """Sign-ins per second at each number of concurrent clients (after a warm-up round)."""
    result = {}
    for clients in clients_list:
        with ThreadPoolExecutor(max_workers=clients) as pool:
            list(pool.map(lambda _: sign_in(), range(clients * 4)))
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=clients) as pool:
            list(pool.map(lambda _: sign_in(), range(calls)))
        result[f"{clients}_clients_per_s"] = round(calls / (time.perf_counter() - started), 1)
    return result


def run(calls: int = 200) -> dict[str, Any]:
    with running_peer() as url:
        idp, client = sign_in_client(url)

        def sign_in() -> Any:
            return idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": USERNAME, "PASSWORD": PASSWORD})

        return {"package": COGNITO_LOCAL, **throughput(sign_in, calls)}
