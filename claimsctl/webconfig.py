"""Writes (and removes) the web demo's generated configuration from the stack's outputs.

The demo reads it at run time (public/claimsctl-config.json), so switching
between the emulator and AWS is a deploy, never an edit or a rebuild. The file
belongs to the project folder being deployed (beside its stackInputs.json),
never to the checkout or package claimsctl runs from; teardown removes it only
if claimsctl generated it.
"""

from __future__ import annotations

import json
from pathlib import Path

from claimsctl.outputs import StackOutputs

CONFIG_FILE = Path("public") / "claimsctl-config.json"
WEB_APP = "pre-token-web-app"
GENERATED_MARK = "by `claimsctl deploy` from the stack's outputs; `claimsctl teardown` removes it"


def default_path(project_root: Path) -> Path:
    """The project's web app config when the project has the web app, else claimsctl-config.json beside the inputs."""
    web_app = project_root / WEB_APP
    return web_app / CONFIG_FILE if web_app.is_dir() else project_root / CONFIG_FILE.name


def settings(outputs: StackOutputs, redirect_url: str, logout_url: str, endpoint_url: str | None) -> dict[str, str | None]:
    region = outputs.region
    pool_id = outputs.user_pool_id
    issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
    return {
        "_generated": GENERATED_MARK,
        "region": region,
        "userPoolId": pool_id,
        "clientId": outputs.client_id,
        "hostedUiUrl": outputs.hosted_ui_url,
        "redirectUrl": redirect_url,
        "logoutUrl": logout_url,
        "issuer": issuer,
        "authority": f"{endpoint_url.rstrip('/')}/{pool_id}" if endpoint_url else issuer,
        "claimName": outputs.claim_name,
        "triggerVersion": outputs.trigger_version,
        "endpointUrl": endpoint_url,
    }


def _generated(target: Path) -> bool:
    try:
        return bool(json.loads(target.read_text(encoding="utf-8")).get("_generated") == GENERATED_MARK)
    except (OSError, ValueError, AttributeError):
        return False


def check_writable(target: Path) -> None:
    """Refuse, before anything is deployed, a path holding a file claimsctl did not generate."""
    from claimsctl.errors import ClaimsctlError

    if target.exists() and not _generated(target):
        raise ClaimsctlError(f"{target} exists and was not written by claimsctl; move it away or pass --web-config PATH.")


def write(target: Path, values: dict[str, str | None]) -> Path:
    """Write the config; a file at that path that claimsctl did not generate is never overwritten."""
    check_writable(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(values, indent=2) + "\n", encoding="utf-8")
    return target


def remove(target: Path) -> Path | None:
    """Remove the config if claimsctl generated it (anything else at that path is left alone)."""
    if target.exists() and _generated(target):
        target.unlink()
        return target
    return None
