"""Builds the Lambda artifact from lambda_src/: a deterministic zip named by its content hash.

The zip holds lambda_src's files, the `claimsctl_runtime` package (the shared code every handler imports:
the verifier, the project rule, the generic trigger and routes), and, for AWS, the third-party packages of
lambda_src/requirements.txt installed for the function's runtime and
architecture, as `sam build` does. The local emulator runs functions on the
host's Python, whose environment already has those packages, so its zip
carries none.
"""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from claimsctl import folders
from claimsctl.errors import PackageError

if TYPE_CHECKING:
    from claimsctl.apiroutes import Declared

FIXED_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
EXCLUDED_PARTS = {"__pycache__", ".pytest_cache", "tests"}
EXCLUDED_NAMES = {"requirements.txt", ".claimsctl-source.json"}
RUNTIME = "claimsctl_runtime"
# Names in a project's lambda_src/ that would replace the shipped shared code in the zip (the last two are
# the modules an earlier claimsctl shipped under those names).
SHADOWING = (RUNTIME, f"{RUNTIME}.py", "claimsctl_tokens.py", "claimsctl_projects.py")
PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}
CACHE = Path.home() / ".cache" / "claimsctl" / "dependencies"


@dataclass(frozen=True)
class Artifact:
    """A packaged zip and the S3 key it is stored under."""

    data: bytes
    sha256: str

    def key(self, stack_name: str) -> str:
        return f"claimsctl/{stack_name}/lambda-{self.sha256[:32]}.zip"


def _files(folder: Path) -> dict[str, Path]:
    found = {}
    try:
        for path in folders.files_within(folder):
            relative = path.relative_to(folder)
            if not EXCLUDED_PARTS & set(relative.parts) and path.suffix not in (".pyc", ".pyo"):
                found[relative.as_posix()] = path
    except folders.LinkOutOfFolder as exc:
        raise PackageError(f"Cannot package the Lambda code: {exc}") from None
    return found


def vendor(requirements: Path, runtime: str, architecture: str) -> Path:
    """Install requirements for a Lambda runtime (e.g. python3.12 on arm64) into a cached folder."""
    version = runtime.removeprefix("python")
    digest = hashlib.sha256(requirements.read_bytes() + f"{version}/{architecture}".encode()).hexdigest()[:16]
    target = CACHE / digest
    if (target / ".complete").exists():
        return target
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
               "--target", str(target), "--platform", PLATFORMS[architecture], "--implementation", "cp",
               "--python-version", version, "--only-binary=:all:", "--upgrade", "-r", str(requirements)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise PackageError(f"Cannot install {requirements} for {runtime}/{architecture}: {result.stderr.strip()[-500:]}")
    (target / ".complete").write_text("ok")
    return target


def shared_code() -> dict[str, Path]:
    """The claimsctl_runtime package's files, by their name in the zip."""
    import claimsctl_runtime

    root = Path(claimsctl_runtime.__file__).parent
    return {f"{RUNTIME}/{path.relative_to(root).as_posix()}": path for path in sorted(root.glob("*.py"))}


def _refuse_shadowing(source_dir: Path, files: dict[str, Path]) -> None:
    for name in SHADOWING:
        if name in files or any(entry.startswith(f"{name}/") for entry in files):
            raise PackageError(
                f"{source_dir / name} would replace claimsctl's shared code ({RUNTIME}) in the Lambda zip. "
                f"Rename or remove it: the handlers import the shipped {RUNTIME}, which claimsctl keeps up to date.")


_OLD_IMPORTS = ("claimsctl_tokens", "claimsctl_projects")


def _refuse_stale_handlers(source_dir: Path, files: dict[str, Path]) -> None:
    """A lambda_src copied from a claimsctl before the claims seam imports modules no zip carries now, and
    new handlers need claims.py: refused here, before anything is deployed, rather than failing at sign-in."""
    import re

    fix = ("Run `claimsctl upgrade-source` in the project folder (--dry-run shows the plan): it brings the handlers "
           "forward, keeping claims.py and every file you changed; then put your changes in claims.py (docs/claims.md).")
    for name, path in sorted(files.items()):
        if not name.endswith(".py"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        old = next((module for module in _OLD_IMPORTS if re.search(rf"^\s*(from|import)\s+{module}\b", text, re.M)), None)
        if old:
            raise PackageError(f"{source_dir / name} imports {old}, which claimsctl no longer ships (the shared code "
                               f"is {RUNTIME} now). {fix}")
        if re.search(r"^\s*import\s+claims\b", text, re.M) and "claims.py" not in files:
            raise PackageError(f"{source_dir / name} imports claims, but {source_dir} has no claims.py. {fix}")


def _refuse_missing_handlers(source_dir: Path, routes: tuple[Declared, ...]) -> None:
    """Every declared route's handler is a function of a module in lambda_src/: all that lack one, at once."""
    from claimsctl import apiroutes

    missing = apiroutes.handler_problems(source_dir, routes)
    if missing:
        raise PackageError(f"{len(missing)} route(s) of stackInputs.json have no handler in {source_dir}:\n  - "
                           + "\n  - ".join(missing) + "\nAdd the function (def NAME(request): ...) or fix the "
                           '"handler" (module.function); nothing was deployed.')


_HANDLER = re.compile(r"^\s+Handler:\s*[\"']?([A-Za-z_][\w.]*)\.([A-Za-z_]\w*)[\"']?\s*$", re.M)


def refuse_missing_template_handlers(source_dir: Path, template: str, routes: tuple[Declared, ...]) -> None:
    """Every function of the rendered template runs a module.function that lambda_src/ defines, and when the
    template's API is served by the router with the shipped routes (none declared: declared ones are checked
    when packaging), so do their handlers: a copy older than the templates would otherwise deploy and fail at
    its first call."""
    from claimsctl import apiroutes

    handlers = _HANDLER.findall(template)
    missing = [f"Handler {module}.{function}: {problem}" for module, function in handlers
               if (problem := apiroutes.module_problem(source_dir, module, function))]
    if not routes and any(module == "router" for module, _ in handlers):
        missing += apiroutes.handler_problems(source_dir, apiroutes.SHIPPED)
    if missing:
        raise PackageError(f"{source_dir} lacks what the stack's functions run:\n  - " + "\n  - ".join(missing)
                           + "\nRun `claimsctl upgrade-source --dry-run` to see what it would bring forward (it keeps "
                           "claims.py and every file you changed), or fix the routes' handlers; nothing was deployed.")


def build(source_dir: Path, dependencies: Path | None = None, routes: tuple[Declared, ...] = ()) -> Artifact:
    """Zip the sources (and dependencies) with fixed timestamps and modes, so equal inputs give equal bytes.
    `routes`: the declared routes, whose handlers lambda_src/ must define."""
    if not source_dir.is_dir():
        raise PackageError(f"Lambda source folder {source_dir} not found; run `claimsctl init --with-source` to get "
                           "a copy, or reinstall claimsctl")
    files = {name: path for name, path in _files(source_dir).items() if name not in EXCLUDED_NAMES}
    if not any(name.endswith(".py") for name in files):
        raise PackageError(f"{source_dir} holds no Python handler to package")
    _refuse_shadowing(source_dir, files)
    _refuse_stale_handlers(source_dir, files)
    _refuse_missing_handlers(source_dir, routes)
    installed = {name: path for name, path in (_files(dependencies) if dependencies else {}).items()
                 if not name.startswith("bin/") and name != ".complete"}
    entries = {**installed, **shared_code(), **files}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, FIXED_TIMESTAMP)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name].read_bytes())
    data = buffer.getvalue()
    return Artifact(data, hashlib.sha256(data).hexdigest())
