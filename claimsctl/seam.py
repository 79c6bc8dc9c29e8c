"""The project's lambda_src/claims.py (its own copy, or the shipped one), loaded in the CLI as the handlers
load it: its ROLES are what add-user accepts, its routes_for what explain shows."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from claimsctl.errors import PackageError
from claimsctl_runtime import routes

SEAM = "claims.py"


@dataclass(frozen=True)
class Seam:
    module: ModuleType
    path: Path

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles the project's claims.py knows, least first (one role, "viewer", if it names none)."""
        found = getattr(self.module, "ROLES", ("viewer",))
        return tuple(str(role) for role in found) or ("viewer",)

    def claims_for(self, principal: str, row: dict[str, Any] | None) -> Any:
        return self.module.claims_for(principal, row)

    def routes_for(self, claims: dict[str, Any]) -> tuple[list[routes.Route], list[str]]:
        """(the routes the claims allow, the pairs dropped as malformed), as the authorizer reads them."""
        return routes.checked(self.module.routes_for(claims))


def load(lambda_dir: Path, claim_name: str) -> Seam:
    """claims.py of `lambda_dir`, with CLAIM_NAME set as the functions have it; PackageError when it is
    missing (a lambda_src copied from an older claimsctl) or fails to import."""
    path = lambda_dir / SEAM
    if not path.is_file():
        raise PackageError(f"{lambda_dir} has no {SEAM}: it was copied from an older claimsctl. Run `claimsctl "
                           "upgrade-source` in the project folder (--dry-run shows the plan) to add it and bring the "
                           "handlers you have not changed forward; then merge your changes into claims.py.")
    spec = importlib.util.spec_from_file_location("claimsctl_project_claims", path)
    if spec is None or spec.loader is None:
        raise PackageError(f"Cannot load {path}.")
    module = importlib.util.module_from_spec(spec)
    previous = os.environ.get("CLAIM_NAME")
    os.environ["CLAIM_NAME"] = claim_name
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise PackageError(f"{path} fails to import: {type(exc).__name__}: {exc}") from exc
    finally:
        if previous is None:
            os.environ.pop("CLAIM_NAME", None)
        else:
            os.environ["CLAIM_NAME"] = previous
    return Seam(module, path)
