"""The web app on S3 behind CloudFront ("web": {"hosting": "s3"}): build it, publish it, empty it.

- build: `npm ci` (only when node_modules is older than the lock file) and `npm run build`, only when
  the app's sources changed since the last build: dist/.claimsctl-build holds the sources' hash.
- publish: upload dist/ with a Content-Type per file and a Cache-Control per kind (hashed files under
  assets/ immutable for a year, everything else revalidated on every use), skipping files whose MD5
  already matches; index.html goes last, so no viewer gets a page naming files not there yet. Then the
  configuration for this copy of the app, then an invalidation of the paths that change in place, then
  the removal of files no longer built.
- empty: every object in the bucket, before the stack deletes it (CloudFormation cannot delete a
  bucket that holds objects).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimsctl import folders
from claimsctl.errors import ClaimsctlError

STAMP = ".claimsctl-build"
CONFIG_KEY = "claimsctl-config.json"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
CHANGED_IN_PLACE = ("/", "/index.html", f"/{CONFIG_KEY}")  # every other path names its content's hash
_NOT_SOURCES = {"node_modules", "dist", ".git", ".vite", "coverage"}
_HASHED_ASSET = re.compile(r"^assets/.+[-.][A-Za-z0-9_-]{8,}\.[a-z0-9]+$")
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".json": "application/json", ".map": "application/json", ".svg": "image/svg+xml",
          ".png": "image/png", ".ico": "image/x-icon", ".jpg": "image/jpeg", ".webp": "image/webp",
          ".woff2": "font/woff2", ".woff": "font/woff", ".txt": "text/plain; charset=utf-8",
          ".webmanifest": "application/manifest+json", ".wasm": "application/wasm"}
NPM_TIMEOUT = 900


class WebBuildError(ClaimsctlError):
    """The web app could not be built; nothing was deployed."""


@dataclass(frozen=True)
class WebApp:
    """The project's web app folder (pre-token-web-app/ beside stackInputs.json)."""

    root: Path

    @property
    def dist(self) -> Path:
        return self.root / "dist"

    def sources(self) -> Iterator[Path]:
        """Every file the build reads: all but node_modules, the build's output and the generated config."""
        generated = self.root / "public" / CONFIG_KEY
        for path in sorted(self.root.rglob("*")):
            relative = path.relative_to(self.root).parts
            if path.is_file() and not _NOT_SOURCES.intersection(relative[:-1]) and path != generated:
                yield path

    def source_hash(self) -> str:
        digest = hashlib.sha256()
        for path in self.sources():
            digest.update(path.relative_to(self.root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        return digest.hexdigest()

    def check_buildable(self) -> None:
        """WebBuildError, before anything is deployed, when the app cannot be built here."""
        fix = 'or set "web": {"hosting": "none"} in stackInputs.json'
        if not (self.root / "package.json").is_file():
            raise WebBuildError(f'"web": {{"hosting": "s3"}} publishes the web app, but {self.root} has no '
                                f"package.json; put the app there (a copy of claimsctl's pre-token-web-app) {fix}.")
        if shutil.which("npm") is None:
            raise WebBuildError(f"Building the web app needs npm (Node.js 20 or later) on PATH; install it {fix}.")


def content_type(key: str) -> str:
    return _TYPES.get(Path(key).suffix.lower(), "application/octet-stream")


def cache_control(key: str) -> str:
    """Files whose name carries their content's hash never change; every other one is revalidated."""
    return IMMUTABLE if _HASHED_ASSET.match(key) else REVALIDATE


def _npm(app: WebApp, *args: str) -> None:
    command = ["npm", *args]
    try:
        subprocess.run(command, cwd=app.root, check=True, capture_output=True, text=True, timeout=NPM_TIMEOUT)
    except subprocess.CalledProcessError as exc:
        tail = "\n".join((exc.stdout + exc.stderr).strip().splitlines()[-15:])
        raise WebBuildError(f"`{' '.join(command)}` failed in {app.root} (exit {exc.returncode}); nothing was "
                            f"deployed. Its last lines:\n{tail}") from None
    except subprocess.TimeoutExpired:
        raise WebBuildError(f"`{' '.join(command)}` took over {NPM_TIMEOUT} s in {app.root}; nothing was deployed.") \
            from None


def _installed(app: WebApp) -> bool:
    """node_modules matches the lock file when npm's own record of it is newer than both package files."""
    record = app.root / "node_modules" / ".package-lock.json"
    if not record.exists():
        return False
    newest = max((app.root / name).stat().st_mtime for name in ("package.json", "package-lock.json")
                 if (app.root / name).exists())
    return record.stat().st_mtime >= newest


def _install(app: WebApp) -> None:
    modules = app.root / "node_modules"
    if modules.is_symlink():  # npm ci empties node_modules: through a link, that is someone else's folder
        raise WebBuildError(f"{modules} is a link to {modules.resolve()} and is older than {app.root}'s lock file; "
                            "claimsctl will not run `npm ci` through it (it would empty that folder). Run `npm ci` "
                            "where the link points, or replace the link with a folder of its own.")
    _npm(app, "ci", "--no-audit", "--no-fund", "--loglevel=error")


def build(app: WebApp) -> bool:
    """Build dist/ unless it was built from these very sources; True when it ran the build."""
    wanted = app.source_hash()
    stamp = app.dist / STAMP
    if stamp.exists() and stamp.read_text().strip() == wanted and (app.dist / "index.html").exists():
        return False
    if not _installed(app):
        _install(app)
    _npm(app, "run", "build", "--silent")
    if not (app.dist / "index.html").exists():
        raise WebBuildError(f"`npm run build` left no {app.dist / 'index.html'}; nothing was deployed.")
    stamp.write_text(wanted + "\n")
    return True


@dataclass(frozen=True)
class WebFile:
    key: str
    path: Path

    @property
    def md5(self) -> str:
        return hashlib.md5(self.path.read_bytes(), usedforsecurity=False).hexdigest()


def built_files(app: WebApp) -> list[WebFile]:
    """dist/'s files to upload, index.html last; never the stamp or a config copied from public/."""
    try:
        found = list(folders.files_within(app.dist))
    except folders.LinkOutOfFolder as exc:
        raise WebBuildError(f"Cannot publish the web app: {exc}") from None
    files = [WebFile(path.relative_to(app.dist).as_posix(), path) for path in found
             if path.name != STAMP and path.relative_to(app.dist).as_posix() != CONFIG_KEY]
    return sorted(files, key=lambda f: (f.key == "index.html", f.key))


@dataclass(frozen=True)
class Site:
    """Where the app is published: the stack's web bucket and distribution."""

    bucket: str
    owner: str
    distribution_id: str
    url: str


@dataclass
class Published:
    url: str
    built: bool = False
    uploaded: list[str] = field(default_factory=list)
    unchanged: int = 0
    deleted: list[str] = field(default_factory=list)
    invalidation_id: str | None = None


def _existing(s3: Any, site: Site) -> dict[str, str]:
    """key -> ETag of what the bucket holds now."""
    found: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=site.bucket, ExpectedBucketOwner=site.owner):
        found.update({item["Key"]: item["ETag"].strip('"') for item in page.get("Contents", [])})
    return found


def _put(s3: Any, site: Site, key: str, body: bytes) -> None:
    s3.put_object(Bucket=site.bucket, Key=key, Body=body, ContentType=content_type(key),
                  CacheControl=cache_control(key), ExpectedBucketOwner=site.owner)


def _delete(s3: Any, site: Site, keys: list[str]) -> None:
    for start in range(0, len(keys), 1000):
        batch = [{"Key": key} for key in keys[start:start + 1000]]
        s3.delete_objects(Bucket=site.bucket, Delete={"Objects": batch, "Quiet": True},
                          ExpectedBucketOwner=site.owner)


def publish(s3: Any, cloudfront: Any, site: Site, files: list[WebFile], config: dict[str, Any],
            on_file: Callable[[str], None] = lambda key: None) -> Published:
    """Upload what changed, write the config, invalidate what changes in place, delete what is gone."""
    result = Published(site.url)
    existing = _existing(s3, site)
    for file in files:
        if existing.get(file.key) == file.md5:
            result.unchanged += 1
        else:
            _put(s3, site, file.key, file.path.read_bytes())
            result.uploaded.append(file.key)
        on_file(file.key)
    _put(s3, site, CONFIG_KEY, (json.dumps(config, indent=2) + "\n").encode())
    invalidation = cloudfront.create_invalidation(DistributionId=site.distribution_id, InvalidationBatch={
        "Paths": {"Quantity": len(CHANGED_IN_PLACE), "Items": list(CHANGED_IN_PLACE)},
        "CallerReference": f"claimsctl-{uuid.uuid4()}"})
    result.invalidation_id = invalidation["Invalidation"]["Id"]
    built = {file.key for file in files} | {CONFIG_KEY}
    result.deleted = sorted(key for key in existing if key not in built)
    _delete(s3, site, result.deleted)
    return result


def empty(s3: Any, bucket: str, owner: str) -> int:
    """Delete every object (and every version, should versioning have been turned on) in the web bucket."""
    removed = 0
    pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket, ExpectedBucketOwner=owner)
    for page in pages:
        versions = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                    for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
        for start in range(0, len(versions), 1000):
            s3.delete_objects(Bucket=bucket, Delete={"Objects": versions[start:start + 1000], "Quiet": True},
                              ExpectedBucketOwner=owner)
        removed += len(versions)
    return removed
