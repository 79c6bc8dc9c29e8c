"""`claimsctl init`: a project folder of one's own, ready to deploy (to the emulator, or to AWS as it is)."""

from __future__ import annotations

import json
import re
import secrets
import shutil
from pathlib import Path

from claimsctl import apiroutes, resources
from claimsctl.errors import ClaimsctlError
from claimsctl.testing.example import EXAMPLE_TEST

_STACK_NAME = re.compile(r"[A-Za-z][-A-Za-z0-9]{0,39}")


def stack_inputs(folder: Path, region: str) -> dict[str, object]:
    """Inputs for a new project: named after the folder; a domain prefix random enough to be free on AWS."""
    candidate = re.sub(r"[^-A-Za-z0-9]", "-", folder.resolve().name).strip("-")[:40]
    name = candidate if _STACK_NAME.fullmatch(candidate or "-") else "claimsctl-app"
    return {
        "stackName": name,
        "region": region,
        "userPoolName": f"{name}-users",
        "userPoolDomainName": f"claimsctl-{secrets.token_hex(6)}",
        "callbackUrls": ["http://localhost:8081/"],
        "logoutUrls": ["http://localhost:8081/"],
        "usersTableName": f"{name}-users",
        "triggerVersion": "V1_0",
        "claimName": "projects",
        "api": "both",
        "web": {"hosting": "none"},  # "s3" publishes ./pre-token-web-app behind CloudFront on deploy (needs npm)
        "implicitFlow": False,  # production-leaning: tokens never in a URL; the code flow with PKCE only
        "userPasswordAuth": False,  # production-leaning: passwords never sent; SRP (claimsctl login uses it)
        "routes": apiroutes.as_json(apiroutes.SHIPPED),  # the API: each route's handler in lambda_src/ (docs/api.md)
    }


def init(folder: Path, region: str, with_source: bool) -> list[Path]:
    """Write stackInputs.json, an example test (tests/test_claims.py, for claimsctl's pytest plugin) and, with_source,
    copies of templates/ and lambda_src/; return what was written.

    Nothing that exists is overwritten: an existing stackInputs.json, templates/ or lambda_src/ is an error,
    and nothing is written then.
    """
    wanted = [folder / "stackInputs.json", folder / "tests" / "test_claims.py",
              *((folder / name for name in resources.BUNDLED) if with_source else ())]
    existing = [path for path in wanted if path.exists()]
    if existing:
        raise ClaimsctlError(f"{existing[0]} already exists; claimsctl init never overwrites. Choose another folder.")
    sources = {name: resources.bundled(name) for name in resources.BUNDLED} if with_source else {}
    missing = [name for name, path in sources.items() if path is None]
    if missing:
        raise ClaimsctlError(f"This installation ships no {missing[0]}/ to copy; reinstall claimsctl.")
    folder.mkdir(parents=True, exist_ok=True)
    wanted[0].write_text(json.dumps(stack_inputs(folder, region), indent=2) + "\n", encoding="utf-8")
    wanted[1].parent.mkdir(exist_ok=True)
    wanted[1].write_text(EXAMPLE_TEST, encoding="utf-8")  # claimsctl's pytest plugin: the claims_stack fixture
    for name, source in sources.items():
        if source is not None:
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    if with_source:
        from claimsctl import __version__

        resources.record_copy(folder / "lambda_src", __version__)  # deploy says when the shipped code moves on
    return wanted
