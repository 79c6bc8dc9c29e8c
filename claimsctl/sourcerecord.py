"""The record of a project's copied sources, lambda_src/.claimsctl-source.json: the claimsctl version that
last wrote them and the SHA-256 of each shipped file as it was copied, by its path in the project.

    {"claimsctl": "0.1.0",
     "copied": {"lambda_src/authorizer.py": "<sha256>", "templates/stack.yaml.j2": "<sha256>", ...},
     "files": {"authorizer.py": "<sha256>", ...}}

"files" (lambda_src's Python files, by their path in lambda_src/) is the record's first form: deploy's
warning reads it, and a record that has only it (from an earlier claimsctl) is read as its lambda_src/
entries. Read back, the record is input: a path that leaves templates/ or lambda_src/, a hash that is not
one, or a file that is not a small regular file is refused with a message saying how to go on.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from claimsctl import folders, resources
from claimsctl.errors import ClaimsctlError

RECORD = f"lambda_src/{resources.SOURCE_RECORD}"
MAX_RECORD = 1024 * 1024
_HASH = re.compile(r"[0-9a-f]{64}")
_SKIPPED_PARTS = {"__pycache__", "tests"}  # as the wheel's build hook and init leave them out


class RecordError(ClaimsctlError):
    """The record of the copy cannot be trusted; the message names the entry and how to go on."""


@dataclass(frozen=True)
class Record:
    version: str  # "" when the project has no record
    files: dict[str, str]  # path in the project -> SHA-256 of the file claimsctl copied there


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def shipped() -> dict[str, Path]:
    """The files this claimsctl ships under templates/ and lambda_src/, by their path in a project."""
    found: dict[str, Path] = {}
    for name in resources.BUNDLED:
        folder = resources.bundled(name)
        if folder is None:
            raise ClaimsctlError(f"This installation ships no {name}/ to copy; reinstall claimsctl.")
        for path in folders.files_within(folder):
            relative = path.relative_to(folder)
            if _SKIPPED_PARTS.isdisjoint(relative.parts) and path.suffix != ".pyc" \
                    and path.name != resources.SOURCE_RECORD:
                found[f"{name}/{relative.as_posix()}"] = path
    return found


def read(root: Path) -> Record:
    """The project's record; Record("", {}) when it has none; RecordError when it is malformed."""
    path = root / RECORD
    kind, where = folders.reached(root, RECORD)
    if kind == "missing":
        return Record("", {})
    fix = (f"Remove {path} and run the command again: every file that differs from a version claimsctl shipped "
           "is then kept as yours.")
    if kind != "file" or not stat.S_ISREG(os.lstat(path).st_mode):
        raise RecordError(f"{where or path} is not a regular file, so the record of the copy cannot be read. {fix}")
    with path.open("rb") as handle:
        raw = handle.read(MAX_RECORD + 1)
    try:
        if len(raw) > MAX_RECORD:
            raise ValueError(f"larger than {MAX_RECORD} bytes")
        document = json.loads(raw.decode("utf-8"))
        if not isinstance(document, dict):
            raise ValueError("not a JSON object")
        return Record(str(document.get("claimsctl", "")), _entries(document))
    except (ValueError, RecursionError) as exc:
        raise RecordError(f"{path} is not a record claimsctl wrote ({exc}). {fix}") from None


def _entries(document: dict[str, object]) -> dict[str, str]:
    copied, legacy = document.get("copied"), document.get("files", {})
    if copied is None:  # the first form: lambda_src's Python files only
        if not isinstance(legacy, dict):
            raise ValueError('"files" is not an object')
        copied = {f"lambda_src/{name}": digest for name, digest in legacy.items()}
    if not isinstance(copied, dict):
        raise ValueError('"copied" is not an object')
    return {_checked_path(name): _checked_hash(name, digest) for name, digest in copied.items()}


def _checked_path(name: object) -> str:
    """A path under templates/ or lambda_src/, relative, with no `..`, as the record must hold."""
    pure = PurePosixPath(name) if isinstance(name, str) else None
    if pure is None or pure.is_absolute() or "\\" in str(name) or "\0" in str(name) or len(pure.parts) < 2 \
            or pure.parts[0] not in resources.BUNDLED or any(part in ("..", ".") for part in pure.parts) \
            or pure.as_posix() != name:
        raise ValueError(f"it names {name!r}, which is not a file under templates/ or lambda_src/")
    return name


def _checked_hash(name: str, digest: object) -> str:
    if not isinstance(digest, str) or not _HASH.fullmatch(digest):
        raise ValueError(f"the hash of {name} is not a SHA-256")
    return digest


def write(root: Path, version: str, files: dict[str, str]) -> bool:
    """Write the record (at once); False, writing nothing, when lambda_src/ is absent, a link, or the shipped one."""
    shipped = resources.bundled("lambda_src")
    if folders.reached(root, "lambda_src")[0] != "other" or not (root / "lambda_src").is_dir() \
            or (shipped is not None and shipped.resolve() == (root / "lambda_src").resolve()):
        return False  # absent, a link, or claimsctl's own (a checkout's): no record
    legacy = {name.removeprefix("lambda_src/"): digest for name, digest in files.items()
              if name.startswith("lambda_src/") and name.endswith(".py")}
    document = {"claimsctl": version, "copied": dict(sorted(files.items())), "files": dict(sorted(legacy.items()))}
    data = (json.dumps(document, indent=2) + "\n").encode()
    _put(root / RECORD, data)
    return True


def _put(path: Path, data: bytes) -> None:
    """Write a file beside `path`, then rename it over `path`: a link there is replaced, never written through."""
    import tempfile

    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".claimsctl-new")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def fingerprint(folder: Path) -> dict[str, str]:
    """SHA-256 of each Python file of a folder, by its relative path."""
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*.py")) if "__pycache__" not in path.parts}


def changed_since_copy(copied: Path) -> tuple[str, list[str]]:
    """(the version a lambda_src copy came from, the shipped files that changed since); nothing without a record."""
    shipped = resources.bundled("lambda_src")
    try:  # read as upgrade-source reads it: bounded, and checked (a record that is not one says nothing here)
        record = read(copied.parent) if copied.name == "lambda_src" else Record("", {})
    except (OSError, RecordError):
        return "", []
    if not record.version:
        return "", []
    version = record.version
    then = {name.removeprefix("lambda_src/"): digest for name, digest in record.files.items()
            if name.startswith("lambda_src/") and name.endswith(".py")}
    if shipped is None or shipped.resolve() == copied.resolve():
        return version, []
    now = fingerprint(shipped)
    return version, sorted(name for name in set(now) | set(then) if now.get(name) != then.get(name))
