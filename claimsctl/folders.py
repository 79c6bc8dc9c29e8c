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
