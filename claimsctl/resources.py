"""The templates and Lambda sources claimsctl ships, and where a project's own copies take precedence.

An installed wheel carries them as claimsctl/resources/{templates,lambda_src}
(setup.py's build hook); a source checkout (or an editable install of it) uses
the checkout's top-level folders.
"""

from __future__ import annotations

from pathlib import Path

BUNDLED = ("templates", "lambda_src")


def bundled(name: str) -> Path | None:
    """The shipped copy of `name` (templates or lambda_src), if this installation has one."""
    packaged = Path(__file__).resolve().with_name("resources") / name
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[1] / name
    return checkout if checkout.is_dir() else None


def for_project(project_root: Path, name: str) -> tuple[Path, bool]:
    """(folder, whether it is the project's own): the project folder's copy wins over the shipped one."""
    own = project_root / name
    if own.is_dir():
        return own, True
    shipped = bundled(name)
    return (shipped, False) if shipped is not None else (own, True)


SOURCE_RECORD = ".claimsctl-source.json"  # in a copied lambda_src/: what it was copied from (never packaged)


def fingerprint(folder: Path) -> dict[str, str]:
    """SHA-256 of each Python file of a folder, by its relative path."""
    import hashlib

    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*.py")) if "__pycache__" not in path.parts}


def changed_since_copy(copied: Path) -> tuple[str, list[str]]:
    """(the version a lambda_src copy came from, the shipped files that changed since); nothing without a record."""
    from claimsctl import sourcerecord

    shipped = bundled("lambda_src")
    try:  # read as upgrade-source reads it: bounded, and checked (a record that is not one says nothing here)
        record = sourcerecord.read(copied.parent) if copied.name == "lambda_src" else sourcerecord.Record("", {})
    except (OSError, sourcerecord.RecordError):
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
