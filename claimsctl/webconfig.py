"""Writes (and removes) the web demo's generated configuration from the stack's outputs.

The demo reads it at run time (public/claimsctl-config.json), so switching
between the emulator and AWS is a deploy, never an edit or a rebuild.
"""

from __future__ import annotations

import json
from pathlib import Path

CONFIG_FILE = Path("public") / "claimsctl-config.json"


def settings(outputs: dict[str, str], redirect_url: str, logout_url: str, endpoint_url: str | None) -> dict[str, str | None]:
    region = outputs["Region"]
    pool_id = outputs["UserPoolId"]
    issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
    return {
        "_generated": "by `claimsctl deploy` from the stack's outputs; `claimsctl teardown` removes it",
        "region": region,
        "userPoolId": pool_id,
        "clientId": outputs["UserPoolClientId"],
        "hostedUiUrl": outputs["HostedUiUrl"],
        "redirectUrl": redirect_url,
        "logoutUrl": logout_url,
        "issuer": issuer,
        "authority": f"{endpoint_url.rstrip('/')}/{pool_id}" if endpoint_url else issuer,
        "claimName": outputs.get("ClaimName", "projects"),
        "triggerVersion": outputs.get("TriggerVersion", "V1_0"),
        "endpointUrl": endpoint_url,
    }


def write(web_app_dir: Path, values: dict[str, str | None]) -> Path:
    target = web_app_dir / CONFIG_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(values, indent=2) + "\n", encoding="utf-8")
    return target


def remove(web_app_dir: Path) -> Path | None:
    target = web_app_dir / CONFIG_FILE
    if target.exists():
        target.unlink()
        return target
    return None
