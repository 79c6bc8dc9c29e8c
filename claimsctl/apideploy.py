"""The API's deployment follows the API: its logical id carries a hash of everything a deployment snapshots.

API Gateway serves a stage from a deployment's snapshot of the API (resources, methods with their
integrations, authorizers, models...), and CloudFormation makes a deployment only when it creates an
`AWS::ApiGateway::Deployment` resource. So the rendered template names its deployment `ApiDeployment<hash>`,
the hash taken over those definitions: any change to them is a new deployment resource, which CloudFormation
creates (with `StageName: prod`, moving the existing `prod` stage to it) before removing the old one; identical
definitions give the same id, so an unchanged API is never redeployed. docs/decisions.md says why the stage
stays the deployment's `StageName` rather than a separate `AWS::ApiGateway::Stage`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

import yaml

DEPLOYMENT_PREFIX = "ApiDeployment"
DEPLOYMENT_TYPE = "AWS::ApiGateway::Deployment"
STAGE_NAME = "prod"
# What a deployment snapshots (API Gateway: "Deploy a REST API"): not the stage, the deployments themselves,
# keys, usage plans or domain names, which live outside a deployment.
SNAPSHOT_TYPES = frozenset({
    "AWS::ApiGateway::RestApi", "AWS::ApiGateway::Resource", "AWS::ApiGateway::Method",
    "AWS::ApiGateway::Authorizer", "AWS::ApiGateway::Model", "AWS::ApiGateway::RequestValidator",
    "AWS::ApiGateway::GatewayResponse", "AWS::ApiGateway::DocumentationPart",
})
HASH_LENGTH = 12


class _CfnLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML with CloudFormation's short forms (!Ref, !Sub, !GetAtt...) read as {"!Ref": value}."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        return {"!" + suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {"!" + suffix: loader.construct_sequence(node, deep=True)}
    return {"!" + suffix: loader.construct_mapping(node, deep=True)}  # type: ignore[arg-type]


_CfnLoader.add_multi_constructor("!", _intrinsic)


def resources_of(template: str) -> dict[str, Any]:
    """The template's Resources (ValueError when it is not a YAML mapping with them)."""
    try:
        document = yaml.load(template, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ValueError(f"the rendered template is not valid YAML: {str(exc).splitlines()[0]}") from None
    resources = document.get("Resources") if isinstance(document, dict) else None
    return resources if isinstance(resources, dict) else {}


def definition_hash(resources: dict[str, Any]) -> str | None:
    """A short hash of the API's definition (None when the template has no API)."""
    snapshot = {name: {"Type": body.get("Type"), "Properties": body.get("Properties")}
                for name, body in resources.items()
                if isinstance(body, dict) and body.get("Type") in SNAPSHOT_TYPES}
    if not snapshot:
        return None
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:HASH_LENGTH]


def deployment_id(template: str) -> str:
    """The logical id of the deployment of the API `template` defines: `ApiDeployment<hash>`."""
    digest = definition_hash(resources_of(template))
    return DEPLOYMENT_PREFIX + (digest or "")


def stage_move(changes: Iterable[Any]) -> str | None:
    """The line a change-set preview shows when an update moves the API's stage to a new deployment."""
    added = [c.logical_id for c in changes if c.resource_type == DEPLOYMENT_TYPE and c.action == "Add"]
    if not added:
        return None
    return (f"The API's {STAGE_NAME} stage moves to a new deployment ({added[0]}): after this update it serves "
            "the API as the template defines it now.")
