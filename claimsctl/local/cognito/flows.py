"""Which authentication flows an app client allows (its ExplicitAuthFlows, with AWS's defaults and the legacy
names), read by the sign-in checks and by GetTokensFromRefreshToken."""

from __future__ import annotations

from typing import Any

REFRESH_FLOWS = {"REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"}
# ExplicitAuthFlows value that enables each AuthFlow (AWS's defaults apply when a client sets none).
FLOW_SETTING = {
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "ADMIN_USER_PASSWORD_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "USER_SRP_AUTH": "ALLOW_USER_SRP_AUTH",
    "CUSTOM_AUTH": "ALLOW_CUSTOM_AUTH",
    "REFRESH_TOKEN_AUTH": "ALLOW_REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN": "ALLOW_REFRESH_TOKEN_AUTH",
}
LEGACY_SETTING = {"ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
                  "CUSTOM_AUTH_FLOW_ONLY": "ALLOW_CUSTOM_AUTH"}
DEFAULT_FLOWS = {"ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}


def enabled_flows(client: Any) -> set[str]:
    """The ExplicitAuthFlows settings an app client has (AWS's defaults when it sets none)."""
    configured = client.extended_config.get("ExplicitAuthFlows")
    if not configured:
        return set(DEFAULT_FLOWS)
    return {LEGACY_SETTING.get(f, f) for f in configured}
