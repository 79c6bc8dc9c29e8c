"""CloudFormation support for the API Gateway pieces moto's CloudFormation lacks or drops.

moto's Method model ignores AuthorizerId and AuthorizationScopes and cannot be
updated, it has no AWS::ApiGateway::Authorizer nor AWS::ApiGateway::Stage, a
Deployment cannot be updated, and none of the API Gateway models can be
deleted. These fill that in; Ref values follow the CloudFormation reference.
An update changes the live API only: a stage serves it once a Deployment
is made (snapshots.py).
"""

from __future__ import annotations

import functools
from typing import Any

from moto.apigateway.models import Deployment, Method, Resource, RestAPI, apigateway_backends
from moto.core.common_models import CloudFormationModel

from claimsctl.local import patches
from claimsctl.local.apigateway import stages
from claimsctl.local.cfn.model import Attributes


def _backend(account_id: str, region: str) -> Any:
    return apigateway_backends[account_id][region]


def _authorizer_fields(p: dict[str, Any]) -> dict[str, Any]:
    """The Authorizer model's attributes from the resource's properties."""
    return {
        "name": p.get("Name"), "type": p["Type"], "provider_arns": p.get("ProviderARNs"), "auth_type": p.get("AuthType"),
        "authorizer_uri": p.get("AuthorizerUri"), "authorizer_credentials": p.get("AuthorizerCredentials"),
        "identity_source": p.get("IdentitySource"),
        "identity_validation_expression": p.get("IdentityValidationExpression"),
        "authorizer_result_ttl": p.get("AuthorizerResultTtlInSeconds", 300),
    }


class ApiAuthorizer(Attributes, CloudFormationModel):
    """AWS::ApiGateway::Authorizer: Ref is the authorizer id; an update changes it in place (same id)."""

    CFN_TYPE = "AWS::ApiGateway::Authorizer"
    PHYSICAL_ID = "authorizer_id"
    NAME_PROPERTY = "Name"

    def __init__(self, account_id: str, region: str, api_id: str, authorizer_id: str) -> None:
        self.account_id = account_id
        self.region = region
        self.api_id = api_id
        self.authorizer_id = authorizer_id

    ATTRIBUTES = ("AuthorizerId",)

    def _attribute(self, name: str) -> str:
        return self.authorizer_id

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> ApiAuthorizer:
        p = cloudformation_json["Properties"]
        authorizer = _backend(account_id, region_name).create_authorizer(
            p["RestApiId"], p.get("Name") or resource_name, p["Type"],
            provider_arns=p.get("ProviderARNs"), auth_type=p.get("AuthType"), authorizer_uri=p.get("AuthorizerUri"),
            authorizer_credentials=p.get("AuthorizerCredentials"), identity_source=p.get("IdentitySource"),
            identiy_validation_expression=p.get("IdentityValidationExpression"),
            authorizer_result_ttl=p.get("AuthorizerResultTtlInSeconds", 300),
        )
        return cls(account_id, region_name, p["RestApiId"], authorizer.id)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls, original_resource: ApiAuthorizer, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> ApiAuthorizer:
        p = cloudformation_json["Properties"]
        api = _backend(account_id, region_name).get_rest_api(p["RestApiId"])
        authorizer = api.authorizers.get(original_resource.authorizer_id)
        if authorizer is None:  # deleted outside CloudFormation: made anew
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
        fields = _authorizer_fields(p)
        fields["name"] = fields["name"] or authorizer.name
        for name, value in fields.items():
            setattr(authorizer, name, value)
        return original_resource

    def delete(self, account_id: str, region: str) -> None:
        api = _backend(account_id, region).apis.get(self.api_id)
        if api is not None:
            api.authorizers.pop(self.authorizer_id, None)


def _method_create(cls: type, /, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
                   region_name: str, **kwargs: Any) -> Method:
    return _put_method(cloudformation_json["Properties"], account_id, region_name)


def _put_method(p: dict[str, Any], account_id: str, region_name: str) -> Method:
    """PutMethod (and PutIntegration) with every property: a new Method object in the resource's place, as
    PutMethod replaces a method on API Gateway; a property left out is left out of the method too."""
    backend = _backend(account_id, region_name)
    method = backend.put_method(
        function_id=p["RestApiId"], resource_id=p["ResourceId"], method_type=p["HttpMethod"],
        authorization_type=p.get("AuthorizationType", "NONE"), api_key_required=p.get("ApiKeyRequired"),
        request_parameters=p.get("RequestParameters"), authorizer_id=p.get("AuthorizerId"),
        authorization_scopes=p.get("AuthorizationScopes"), request_models=p.get("RequestModels"),
        operation_name=p.get("OperationName"), request_validator_id=p.get("RequestValidatorId"),
    )
    integration = p.get("Integration") or {}
    if integration:
        backend.put_integration(
            function_id=p["RestApiId"], resource_id=p["ResourceId"], method_type=p["HttpMethod"],
            integration_type=integration["Type"], uri=integration.get("Uri"),
            integration_method=integration.get("IntegrationHttpMethod"),
            credentials=integration.get("Credentials"), request_templates=integration.get("RequestTemplates"),
            passthrough_behavior=integration.get("PassthroughBehavior"),
            timeout_in_millis=integration.get("TimeoutInMillis"),
            request_parameters=integration.get("RequestParameters"),
            content_handling=integration.get("ContentHandling"), connection_type=integration.get("ConnectionType"),
        )
    method.api_id, method.resource_id = p["RestApiId"], p["ResourceId"]  # type: ignore[attr-defined]
    return method  # type: ignore[no-any-return]


def _method_update(cls: type, /, original_resource: Method, new_resource_name: str,
                   cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> Method:
    """An update puts the method again with the new properties (RestApiId, ResourceId and HttpMethod are
    create-only, so a change of those is a replacement the engine makes)."""
    return _put_method(cloudformation_json["Properties"], account_id, region_name)


def _method_delete(self: Method, account_id: str, region: str) -> None:
    api = _backend(account_id, region).apis.get(getattr(self, "api_id", ""))
    resource = api.resources.get(getattr(self, "resource_id", "")) if api else None
    if resource is not None:
        resource.resource_methods.pop(self.http_method, None)


def _resource_delete(self: Resource, account_id: str, region: str) -> None:
    api = _backend(account_id, region).apis.get(self.api_id)
    if api is not None:
        api.resources.pop(self.id, None)


def _rest_api_delete(self: RestAPI, account_id: str, region: str) -> None:
    backend = _backend(account_id, region)
    if self.id in backend.apis:
        backend.delete_rest_api(self.id)


def _deployment_update(cls: type, /, original_resource: Deployment, new_resource_name: str,
                       cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> Deployment:
    """Description and StageName change in place and make no new deployment (so no new snapshot); a
    StageName points that stage (made if missing) at this deployment."""
    p = cloudformation_json["Properties"]
    api = _backend(account_id, region_name).get_rest_api(p["RestApiId"])
    original_resource.description = p.get("Description", "")
    name = p.get("StageName")
    if name and name != original_resource.stage_name:
        stage = api.stages.get(name)
        if stage is None:
            api.create_stage(name, original_resource.id, None, "", None, None, None, None)
        else:
            stage.deployment_id = original_resource.id
        original_resource.stage_name = name
    return original_resource


def _deployment_delete(self: Deployment, account_id: str, region: str) -> None:
    """The stage named by StageName goes with the deployment while it still points at it; a stage moved to
    another deployment stays (the Serverless Framework's new-Deployment-per-change relies on that). When this
    deployment had moved an existing stage and that stage's previous deployment still exists (a rolled-back
    update deleting the deployment it added), the stage goes back to it rather than away. A stage of another
    name still on this deployment makes DeleteDeployment refuse, as on AWS."""
    api = _backend(account_id, region).apis.get(getattr(self, "api_id", ""))
    if api is None or self.id not in api.deployments:
        return
    stage = api.stages.get(self.stage_name) if self.stage_name else None
    if stage is not None and stage.deployment_id == self.id:
        previous = getattr(self, "moved_from", None)
        if previous in api.deployments:
            stage.deployment_id = previous
        else:
            del api.stages[self.stage_name]
    api.delete_deployment(self.id)


class ApiStage(Attributes, CloudFormationModel):
    """AWS::ApiGateway::Stage: Ref is the stage name. An update of DeploymentId moves the stage."""

    CFN_TYPE = "AWS::ApiGateway::Stage"
    PHYSICAL_ID = "stage_name"
    NAME_PROPERTY = "StageName"

    def __init__(self, api_id: str, stage_name: str) -> None:
        self.api_id = api_id
        self.stage_name = stage_name

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> ApiStage:
        p = cloudformation_json["Properties"]
        api = _backend(account_id, region_name).get_rest_api(p["RestApiId"])
        tags = {tag["Key"]: tag["Value"] for tag in p.get("Tags") or []}
        api.create_stage(resource_name, p.get("DeploymentId"), p.get("Variables") or {}, p.get("Description", ""),
                         p.get("CacheClusterEnabled"), p.get("CacheClusterSize"), tags or None, p.get("TracingEnabled"))
        return cls(p["RestApiId"], resource_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls, original_resource: ApiStage, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> ApiStage:
        p = cloudformation_json["Properties"]
        api = _backend(account_id, region_name).get_rest_api(p["RestApiId"])
        stage = api.stages.get(original_resource.stage_name)
        if stage is None:  # deleted outside CloudFormation: made anew
            return cls.create_from_cloudformation_json(original_resource.stage_name, cloudformation_json,
                                                       account_id, region_name)
        stages.require_deployment(api, p.get("DeploymentId"))
        stage.deployment_id = p.get("DeploymentId")
        stage.description = p.get("Description", "")
        stage.variables = dict(p.get("Variables") or {})
        stage.tracing_enabled = p.get("TracingEnabled")
        stage.tags = {tag["Key"]: tag["Value"] for tag in p.get("Tags") or []} or None
        return original_resource

    def delete(self, account_id: str, region: str) -> None:
        api = _backend(account_id, region).apis.get(self.api_id)
        if api is not None:
            api.stages.pop(self.stage_name, None)


def _create_authorizer_keeping_validation(original: Any) -> Any:
    """moto passes IdentityValidationExpression as `identiy_validation_expression`, which Authorizer never reads."""

    @functools.wraps(original)
    def create_authorizer(self: RestAPI, *args: Any, **kwargs: Any) -> Any:
        authorizer = original(self, *args, **kwargs)
        expression = kwargs.get("identiy_validation_expression")
        if expression is None and len(args) >= 9:
            expression = args[8]
        authorizer.identity_validation_expression = expression
        return authorizer

    return create_authorizer


PATCHES = (
    patches.wrap(RestAPI, "create_authorizer", _create_authorizer_keeping_validation),
    patches.replace(Method, "create_from_cloudformation_json", classmethod(_method_create)),
    patches.replace(Method, "update_from_cloudformation_json", classmethod(_method_update)),
    patches.replace(Deployment, "update_from_cloudformation_json", classmethod(_deployment_update)),
    patches.replace(Deployment, "physical_resource_id", property(lambda self: self.id), new=True),
    patches.replace(Method, "delete", _method_delete, new=True),
    patches.replace(Resource, "delete", _resource_delete, new=True),
    patches.replace(RestAPI, "delete", _rest_api_delete, new=True),
    patches.replace(Deployment, "delete", _deployment_delete, new=True),
)
