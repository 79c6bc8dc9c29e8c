"""Deployments and stages as API Gateway runs them, where moto differs.

- CreateDeployment snapshots the API (snapshots.py). With the stageName of an existing stage it points that
  stage at the new deployment and keeps the stage's settings (moto made a new, empty Stage in its place).
- DeleteDeployment is refused while any stage points at the deployment, with API Gateway's message (moto
  refused whenever the stage the deployment was created with still existed, even after it moved away).
- CreateStage and UpdateStage's `/deploymentId` take an existing deployment only (moto took any string).
"""

from __future__ import annotations

import functools
from typing import Any

from moto.apigateway.exceptions import DeploymentNotFoundException, StageStillActive
from moto.apigateway.models import APIGatewayBackend, Deployment, RestAPI

from claimsctl.local import patches
from claimsctl.local.apigateway import snapshots


def _create_deployment(original: Any) -> Any:
    @functools.wraps(original)
    def create_deployment(self: RestAPI, name: str | None, description: str, stage_variables: Any = None) -> Deployment:
        existing = self.stages.get(name) if name else None
        deployment: Deployment = original(self, name, description, stage_variables)
        deployment.api_id = self.id  # type: ignore[attr-defined]
        deployment.moved_from = existing.deployment_id if existing is not None else None  # type: ignore[attr-defined]
        snapshots.record(deployment, self)
        if existing is not None and name:
            existing.deployment_id = deployment.id
            existing.variables.update(stage_variables or {})
            self.stages[name] = existing
        return deployment

    return create_deployment


def _delete_deployment(self: RestAPI, deployment_id: str) -> Deployment:
    if deployment_id not in self.deployments:
        raise DeploymentNotFoundException()
    if any(stage.deployment_id == deployment_id for stage in self.stages.values()):
        raise StageStillActive()
    return self.deployments.pop(deployment_id)  # type: ignore[no-any-return]


def require_deployment(api: RestAPI, deployment_id: str | None) -> None:
    """API Gateway's NotFoundException for a stage pointed at a deployment the API does not have."""
    if not deployment_id or deployment_id not in api.deployments:
        raise DeploymentNotFoundException()


def _create_stage(original: Any) -> Any:
    @functools.wraps(original)
    def create_stage(self: RestAPI, name: str, deployment_id: str, *args: Any, **kwargs: Any) -> Any:
        require_deployment(self, deployment_id)
        return original(self, name, deployment_id, *args, **kwargs)

    return create_stage


def _update_stage(original: Any) -> Any:
    @functools.wraps(original)
    def update_stage(self: APIGatewayBackend, function_id: str, stage_name: str, patch_operations: Any) -> Any:
        api = self.get_rest_api(function_id)
        self.get_stage(function_id, stage_name)  # NotFoundException for an unknown stage, before any change
        for operation in patch_operations or []:
            if str(operation.get("path", "")).rstrip("/") == "/deploymentId":
                require_deployment(api, operation.get("value"))
        return original(self, function_id, stage_name, patch_operations)

    return update_stage


PATCHES = (
    patches.wrap(RestAPI, "create_deployment", _create_deployment),
    patches.replace(RestAPI, "delete_deployment", _delete_deployment),
    patches.wrap(RestAPI, "create_stage", _create_stage),
    patches.wrap(APIGatewayBackend, "update_stage", _update_stage),
)
