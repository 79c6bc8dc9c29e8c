"""`claimsctl init`: a project folder of one's own, ready to deploy (to the emulator, or to AWS as it is)."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from claimsctl import apiroutes, folders, resources, sourcerecord
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


@dataclass(frozen=True)
class Outcome:
    """What init wrote and what it found there and kept (a folder when all of its files are alike)."""

    written: list[Path]
    kept: list[Path]


def init(folder: Path, region: str, with_source: bool) -> Outcome:
    """Write what the folder lacks of: stackInputs.json, an example test (tests/test_claims.py, for
    claimsctl's pytest plugin) and, with_source, copies of templates/ and lambda_src/ (recorded, so that
    deploy says when the shipped code moves on and upgrade-source can bring it forward).

    Nothing that exists is overwritten, and nothing is written through a link: an existing project folder
    gains only the files it lacks.
    """
    sources = sourcerecord.shipped() if with_source else {}
    record = sourcerecord.read(folder) if with_source and folder.is_dir() else sourcerecord.Record("", {})
    try:
        return _fill(folder, region, sources, record)
    except OSError as exc:  # a permission or a full disk: each file is whole or absent (folders.write_new)
        raise ClaimsctlError(f"Cannot write {exc.filename or folder}: {exc.strerror or exc}. Files written before "
                             "it stay; run init again once the folder is writable.") from exc


def _fill(folder: Path, region: str, sources: dict[str, Path], record: sourcerecord.Record) -> Outcome:
    folder.mkdir(parents=True, exist_ok=True)
    files = {"stackInputs.json": lambda: (json.dumps(stack_inputs(folder, region), indent=2) + "\n").encode(),
             "tests/test_claims.py": EXAMPLE_TEST.encode,  # claimsctl's pytest plugin: the claims_stack fixture
             **{relative: path.read_bytes for relative, path in sources.items()}}
    written: list[str] = []
    kept: list[str] = []
    for relative, data in files.items():
        (written if folders.write_new(folder, relative, data()) else kept).append(relative)
    copied = [relative for relative in written if relative in sources]
    if copied or (sources and not record.version):
        _record(folder, record, sources, copied, kept)
    return Outcome(_grouped(folder, written, sources), _grouped(folder, kept, sources))


def _record(folder: Path, record: sourcerecord.Record, sources: dict[str, Path], copied: list[str],
            kept: list[str]) -> None:
    """The record gains the files just copied, and the kept ones that are exactly as shipped."""
    from claimsctl import __version__

    same = [relative for relative in kept if relative in sources and folders.reached(folder, relative)[0] == "file"
            and sourcerecord.sha256(folder / relative) == sourcerecord.sha256(sources[relative])]
    entries = {**record.files, **{relative: sourcerecord.sha256(sources[relative]) for relative in [*copied, *same]}}
    sourcerecord.write(folder, __version__, entries)


def _grouped(folder: Path, relatives: list[str], sources: dict[str, Path]) -> list[Path]:
    """Paths to show: templates/ or lambda_src/ as one when every shipped file of it is in `relatives`."""
    whole = [name for name in resources.BUNDLED
             if any(r.startswith(f"{name}/") for r in sources)
             and all(r in relatives for r in sources if r.startswith(f"{name}/"))]
    shown = [folder / relative for relative in relatives if relative.split("/", 1)[0] not in whole]
    return shown + [folder / name for name in whole]
