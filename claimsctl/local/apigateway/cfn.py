"""CloudFormation support for the API Gateway pieces moto's CloudFormation lacks or drops.

moto's Method model ignores AuthorizerId and AuthorizationScopes, it has no
AWS::ApiGateway::Authorizer, and none of the API Gateway models can be
deleted. These fill that in; Ref values follow the CloudFormation reference.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.apigateway.models import Deployment, Method, Resource, RestAPI, apigateway_backends
from moto.core.common_models import CloudFormationModel

from claimsctl.local import patches
from claimsctl.local.cfn.model import Attributes, ReplacedOnUpdate


def _backend(account_id: str, region: str) -> Any:
    return apigateway_backends[account_id][region]


class ApiAuthorizer(Attributes, ReplacedOnUpdate, CloudFormationModel):
    """AWS::ApiGateway::Authorizer: Ref is the authorizer id."""

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

    def delete(self, account_id: str, region: str) -> None:
        api = _backend(account_id, region).apis.get(self.api_id)
        if api is not None:
            api.authorizers.pop(self.authorizer_id, None)


def _method_create(cls: type, /, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
                   region_name: str, **kwargs: Any) -> Method:
    p = cloudformation_json["Properties"]
    backend = _backend(account_id, region_name)
    method = backend.put_method(
        function_id=p["RestApiId"], resource_id=p["ResourceId"], method_type=p["HttpMethod"],
        authorization_type=p["AuthorizationType"], api_key_required=p.get("ApiKeyRequired"),
        request_parameters=p.get("RequestParameters"), authorizer_id=p.get("AuthorizerId"),
        authorization_scopes=p.get("AuthorizationScopes"),
    )
    integration = p.get("Integration") or {}
    if integration:
        backend.put_integration(
            function_id=p["RestApiId"], resource_id=p["ResourceId"], method_type=p["HttpMethod"],
            integration_type=integration["Type"], uri=integration.get("Uri"),
            integration_method=integration.get("IntegrationHttpMethod"),
        )
    method.api_id, method.resource_id = p["RestApiId"], p["ResourceId"]  # type: ignore[attr-defined]
    return method  # type: ignore[no-any-return]


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


def _deployment_delete(self: Deployment, account_id: str, region: str) -> None:
    return None  # removed with its API


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
    patches.replace(Method, "delete", _method_delete, new=True),
    patches.replace(Resource, "delete", _resource_delete, new=True),
    patches.replace(RestAPI, "delete", _rest_api_delete, new=True),
    patches.replace(Deployment, "delete", _deployment_delete, new=True),
)
