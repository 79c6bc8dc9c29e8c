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
