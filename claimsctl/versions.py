"""What each pre token generation trigger version means to claimsctl, in one typed table.

Everything that depends on `triggerVersion` reads it from here: input
validation, the template's feature plan, which token the API takes, and what
`login` says about the access token.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TriggerVersion:
    name: str  # LambdaVersion, e.g. "V1_0"
    event_version: str  # the event's "version" field
    tokens: tuple[str, ...]  # the tokens the trigger can change
    feature_plan: str  # the cheapest UserPoolTier that allows it
    api_token: str  # the token the API takes: the one that carries the claim ("access" when both do)
    claim_values: str  # "strings" (V1 takes strings only) or "json"

    @property
    def changes_access_token(self) -> bool:
        return "access" in self.tokens


VERSIONS: dict[str, TriggerVersion] = {
    "V1_0": TriggerVersion("V1_0", "1", ("id",), "LITE", "id", "strings"),
    "V2_0": TriggerVersion("V2_0", "2", ("id", "access"), "ESSENTIALS", "access", "json"),
}
REFUSED: dict[str, str] = {
    "V3_0": ("V3_0 (client-credentials tokens through the trigger) is not supported by claimsctl: its users sign in "
             "as people, which V1_0 and V2_0 cover; use V2_0 for the claim in access tokens"),
}
DEFAULT = "V1_0"


def of(name: str) -> TriggerVersion:
    """The version named; KeyError for anything else (inputs are validated against VERSIONS first)."""
    return VERSIONS[name]
