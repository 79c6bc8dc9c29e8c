"""The deployed stack's outputs, read once into a typed value (no module reads them by string key)."""

from __future__ import annotations

from dataclasses import dataclass

from claimsctl.errors import StackError

REQUIRED = ("Region", "UserPoolId", "UserPoolClientId", "HostedUiUrl", "UsersTableName", "ClaimName", "TriggerVersion")


@dataclass(frozen=True)
class StackOutputs:
    region: str
    user_pool_id: str
    client_id: str
    hosted_ui_url: str
    users_table: str
    claim_name: str
    trigger_version: str
    api_url: str | None = None
    api_expects: str = "id"  # the kind of token the API takes: "id" or "access"
    items_table: str | None = None
    web_url: str | None = None  # "web": {"hosting": "s3"}: the app's CloudFront URL, bucket and distribution
    web_bucket: str | None = None
    web_distribution_id: str | None = None
    api_scopes: tuple[str, ...] = ()  # the API's resource-server scopes (read, write), for machine clients

    @property
    def api_identifier(self) -> str:
        """The API's resource-server identifier (the part of its scopes before the last '/')."""
        return self.api_scopes[0].rpartition("/")[0] if self.api_scopes else ""

    @property
    def token_url(self) -> str:
        """The OAuth 2.0 token endpoint (client-credentials tokens come from here)."""
        return f"{self.hosted_ui_url.rstrip('/')}/oauth2/token"

    @classmethod
    def parse(cls, raw: dict[str, str], stack_name: str = "the stack") -> StackOutputs:
        """StackError naming what is missing when the stack was not made by claimsctl's template."""
        missing = [key for key in REQUIRED if not raw.get(key)]
        if missing:
            raise StackError(f"{stack_name} lacks the output(s) {', '.join(missing)}: was it deployed by claimsctl? "
                             "Run `claimsctl deploy` to update it.")
        return cls(
            region=raw["Region"], user_pool_id=raw["UserPoolId"], client_id=raw["UserPoolClientId"],
            hosted_ui_url=raw["HostedUiUrl"], users_table=raw["UsersTableName"], claim_name=raw["ClaimName"],
            trigger_version=raw["TriggerVersion"], api_url=raw.get("ApiUrl"),
            api_expects=raw.get("ApiTokenUse", "id"), items_table=raw.get("ItemsTableName"),
            web_url=raw.get("WebUrl"), web_bucket=raw.get("WebBucketName"),
            web_distribution_id=raw.get("WebDistributionId"), api_scopes=tuple(raw.get("ApiScopes", "").split()),
        )
