"""The files inside a folder that claimsctl ships (the Lambda zip's sources, the built web app), never
reached through a link that leaves the folder.

A link under lambda_src/ or dist/ to a file elsewhere (~/.aws/credentials, say) would otherwise be zipped
into a function or published through CloudFront. A link to a file inside the folder is followed; a link
to a folder, or to anything outside, is refused with a message naming it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path


class LinkOutOfFolder(Exception):
    """A link inside the folder points out of it, or at a folder. The message names the link."""


def files_within(folder: Path) -> Iterator[Path]:
    """Every regular file under `folder`, sorted by path; LinkOutOfFolder for a link that is not a file of
    the folder itself."""
    root = folder.resolve()
    for current, dirs, names in os.walk(folder):  # os.walk never descends through a linked folder
        dirs.sort()
        for name in [*dirs, *sorted(names)]:
            path = Path(current) / name
            if path.is_symlink():
                _check_link(path, root, folder)
            if name in names and path.is_file():
                yield path


def _check_link(path: Path, root: Path, folder: Path) -> None:
    target = path.resolve()
    if not target.is_relative_to(root):
        raise LinkOutOfFolder(f"{path} is a link to {target}, outside {folder}; claimsctl never ships a file "
                              "from outside the folder. Copy the file in place of the link, or remove the link.")
    if target.is_dir():
        raise LinkOutOfFolder(f"{path} is a link to the folder {target}; claimsctl follows no linked folder. "
                              "Put the files there in place of the link, or remove it.")


def reached(root: Path, relative: str) -> tuple[str, Path | None]:
    """How `relative` (a/b/c.txt) stands under `root`, never looking through a link: ("file", None) for a
    regular file, ("missing", None) when it or a folder on the way is absent, ("link", the link) when it or a
    folder on the way is a link, ("other", the entry) for a folder or special file where a file would go."""
    current = root
    parts = Path(relative).parts
    for depth, part in enumerate(parts, start=1):
        current = current / part
        if current.is_symlink():
            return "link", current
        if not current.exists():
            return "missing", None
        if depth < len(parts) and not current.is_dir():
            return "other", current
    return ("file", None) if current.is_file() else ("other", current)


def write_new(root: Path, relative: str, data: bytes) -> bool:
    """Create `relative` under `root` with `data` (its folders too), never replacing anything and never
    through a link; False when something is there already."""
    if reached(root, relative)[0] != "missing":
        return False
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)  # O_EXCL: not even a dangling link
    except FileExistsError:
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except BaseException:
        target.unlink(missing_ok=True)  # never left half-written
        raise
    return True


def replace_file(path: Path, data: bytes) -> None:
    """Put `data` in place of the regular file `path` at once (a file beside it, then a rename), keeping its mode."""
    import stat
    import tempfile

    mode = stat.S_IMODE(os.lstat(path).st_mode)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".claimsctl-new")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
