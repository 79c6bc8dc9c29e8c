"""Builds the Lambda artifact from lambda_src/: a deterministic zip named by its content hash."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from claimsctl.errors import PackageError

FIXED_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
EXCLUDED_PARTS = {"__pycache__", ".pytest_cache", "tests"}


@dataclass(frozen=True)
class Artifact:
    """A packaged zip and the S3 key it is stored under."""

    data: bytes
    sha256: str

    def key(self, stack_name: str) -> str:
        return f"claimsctl/{stack_name}/lambda-{self.sha256[:32]}.zip"


def _source_files(source_dir: Path) -> list[Path]:
    files = [
        path for path in source_dir.rglob("*")
        if path.is_file() and not EXCLUDED_PARTS & set(path.relative_to(source_dir).parts)
        and path.suffix not in (".pyc", ".pyo")
    ]
    return sorted(files, key=lambda p: p.relative_to(source_dir).as_posix())


def build(source_dir: Path) -> Artifact:
    """Zip every source file with fixed timestamps and permissions, so equal code gives equal bytes."""
    if not source_dir.is_dir():
        raise PackageError(f"Lambda source folder {source_dir} not found; run claimsctl from the project folder")
    files = _source_files(source_dir)
    if not any(p.suffix == ".py" for p in files):
        raise PackageError(f"{source_dir} holds no Python handler to package")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(source_dir).as_posix(), FIXED_TIMESTAMP)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    data = buffer.getvalue()
    return Artifact(data, hashlib.sha256(data).hexdigest())
