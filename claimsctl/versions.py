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

    @property
    def serves_machines(self) -> bool:
        """Machine clients' (client-credentials) tokens go through the trigger too, so they get the claim."""
        return self.name == "V3_0"


VERSIONS: dict[str, TriggerVersion] = {
    "V1_0": TriggerVersion("V1_0", "1", ("id",), "LITE", "id", "strings"),
    "V2_0": TriggerVersion("V2_0", "2", ("id", "access"), "ESSENTIALS", "access", "json"),
    # V3_0: V2_0's event for people, and the trigger also runs for machine clients' client-credentials tokens
    "V3_0": TriggerVersion("V3_0", "3", ("id", "access"), "ESSENTIALS", "access", "json"),
}
REFUSED: dict[str, str] = {}
DEFAULT = "V1_0"


def of(name: str) -> TriggerVersion:
    """The version named; KeyError for anything else (inputs are validated against VERSIONS first)."""
    return VERSIONS[name]
