"""What a deployment of a REST API froze: the API as a stage serves it.

API Gateway's developer guide: a stage "represents a snapshot of the API, including methods,
integrations, models, mapping templates, and Lambda authorizers"; a change to the API is served only once a
new deployment is made and a stage points at it. CreateDeployment (and CloudFormation's
AWS::ApiGateway::Deployment, which calls it) takes the snapshot here; execute.py serves the stage's.

The snapshot is plain frozen data, copied out of moto's live objects (moto's Resource finds its path through
the live backend, so it cannot be kept as it is). Attribute names follow moto's models, so the request
pipeline reads a deployed method as it would a live one.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

SNAPSHOT_ATTRIBUTE = "claimsctl_snapshot"


@dataclass(frozen=True)
class DeployedIntegration:
    integration_type: str | None
    uri: str | None
    http_method: str | None


@dataclass(frozen=True)
class DeployedMethod:
    http_method: str
    authorization_type: str | None
    authorizer_id: str | None
    authorization_scopes: tuple[str, ...]
    api_key_required: bool
    request_parameters: dict[str, Any]
    method_integration: DeployedIntegration | None


@dataclass(frozen=True)
class DeployedResource:
    id: str
    path: str
    resource_methods: dict[str, DeployedMethod] = field(default_factory=dict)

    def get_path(self) -> str:
        return self.path


@dataclass(frozen=True)
class DeployedAuthorizer:
    id: str
    name: str | None
    type: str | None
    provider_arns: tuple[str, ...]
    authorizer_uri: str | None
    identity_source: str | None
    identity_validation_expression: str | None
    authorizer_result_ttl: int | None


@dataclass(frozen=True)
class Snapshot:
    resources: tuple[DeployedResource, ...]
    authorizers: dict[str, DeployedAuthorizer]


def _integration(integration: Any) -> DeployedIntegration | None:
    if integration is None:
        return None
    return DeployedIntegration(integration.integration_type, integration.uri, integration.http_method)


def _method(method: Any) -> DeployedMethod:
    return DeployedMethod(
        http_method=method.http_method, authorization_type=method.authorization_type,
        authorizer_id=method.authorizer_id, authorization_scopes=tuple(method.authorization_scopes or ()),
        api_key_required=bool(method.api_key_required),
        request_parameters=copy.deepcopy(dict(method.request_parameters or {})),
        method_integration=_integration(method.method_integration),
    )


def _ttl(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None  # served with API Gateway's default (300)


def _authorizer(authorizer: Any) -> DeployedAuthorizer:
    return DeployedAuthorizer(
        id=str(authorizer.id), name=authorizer.name, type=authorizer.type,
        provider_arns=tuple(authorizer.provider_arns or ()), authorizer_uri=authorizer.authorizer_uri,
        identity_source=authorizer.identity_source,
        identity_validation_expression=getattr(authorizer, "identity_validation_expression", None),
        authorizer_result_ttl=_ttl(authorizer.authorizer_result_ttl),
    )


def take(api: Any) -> Snapshot:
    """The API's resources, methods, integrations and authorizers as they are now."""
    resources = tuple(
        DeployedResource(resource.id, resource.get_path(),
                         {name: _method(method) for name, method in resource.resource_methods.items()})
        for resource in api.resources.values()
    )
    return Snapshot(resources, {str(key): _authorizer(value) for key, value in api.authorizers.items()})


def record(deployment: Any, api: Any) -> None:
    setattr(deployment, SNAPSHOT_ATTRIBUTE, take(api))


def of(deployment: Any) -> Snapshot | None:
    return getattr(deployment, SNAPSHOT_ATTRIBUTE, None)


def served(api: Any, stage_name: str) -> Snapshot | None:
    """The snapshot the stage serves: its deployment's; None when there is no such stage or deployment."""
    stage = api.stages.get(stage_name)
    deployment = api.deployments.get(stage.deployment_id) if stage is not None and stage.deployment_id else None
    return of(deployment) if deployment is not None else None
