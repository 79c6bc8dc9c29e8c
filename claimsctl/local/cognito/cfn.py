"""CloudFormation models for the Cognito resources moto's CloudFormation skips.

Each class adapts one AWS::Cognito::* type onto moto's Cognito backend, with
Ref and Fn::GetAtt values as the CloudFormation reference documents them.
Subclassing CloudFormationModel is what registers a type with moto's stacks.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.cognitoidp.exceptions import InvalidParameterException
from moto.cognitoidp.models import CognitoIdpBackend, cognitoidp_backends
from moto.core.common_models import CloudFormationModel

from claimsctl.local import model_rules
from claimsctl.local.cfn.errors import ResourceFailure
from claimsctl.local.cfn.model import Attributes
from claimsctl.local.cognito import clients, refresh, resource_servers


def _backend(account_id: str, region: str) -> CognitoIdpBackend:
    return cognitoidp_backends[account_id][region]  # type: ignore[no-any-return]


def _properties(cloudformation_json: dict[str, Any]) -> dict[str, Any]:
    return dict(cloudformation_json.get("Properties") or {})


class _CognitoModel(Attributes):
    """Shared plumbing: the backend the resource lives in (GetAtt dispatch comes from Attributes)."""

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region

    @property
    def backend(self) -> CognitoIdpBackend:
        return _backend(self.account_id, self.region)

    def _attribute(self, name: str) -> Any:
        raise UnformattedGetAttTemplateException()


def _apply_mfa(backend: CognitoIdpBackend, pool_id: str, config: dict[str, Any]) -> None:
    """EnabledMfas is a CloudFormation property (the API sets it with SetUserPoolMfaConfig): TOTP on when it
    lists SOFTWARE_TOKEN_MFA, so the pool offers it (MFAS_CAN_SETUP) and checks it."""
    enabled = config.get("EnabledMfas") or []
    backend.set_user_pool_mfa_config(pool_id, None, {"Enabled": "SOFTWARE_TOKEN_MFA" in enabled},  # type: ignore[arg-type]
                                     config.get("MfaConfiguration") or "OFF")


class UserPool(_CognitoModel, CloudFormationModel):
    """AWS::Cognito::UserPool: Ref is the pool id."""

    CFN_TYPE = "AWS::Cognito::UserPool"
    PHYSICAL_ID = "pool_id"
    ATTRIBUTES = ("Arn", "ProviderName", "ProviderURL", "UserPoolId")

    def __init__(self, account_id: str, region: str, pool_id: str) -> None:
        super().__init__(account_id, region)
        self.pool_id = pool_id

    def _attribute(self, name: str) -> Any:
        pool = self.backend.describe_user_pool(self.pool_id)
        provider = f"cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"
        return {
            "Arn": pool.arn,
            "ProviderName": provider,
            "ProviderURL": f"https://{provider}",
            "UserPoolId": self.pool_id,
        }[name]

    @staticmethod
    def _config(properties: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        name = properties.pop("UserPoolName", None)
        tags = properties.pop("UserPoolTags", None)
        if tags:
            properties["UserPoolTags"] = dict(tags)
        return name, properties

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> UserPool:
        name, config = cls._config(_properties(cloudformation_json))
        backend = _backend(account_id, region_name)
        pool = backend.create_user_pool(name or resource_name, config)
        _apply_mfa(backend, pool.id, config)
        return cls(account_id, region_name, pool.id)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls, original_resource: UserPool, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> UserPool:
        name, config = cls._config(_properties(cloudformation_json))
        backend = _backend(account_id, region_name)
        config.pop("Schema", None)  # schema attributes cannot change after creation
        backend.update_user_pool(original_resource.pool_id, config)
        _apply_mfa(backend, original_resource.pool_id, config)
        if name:
            backend.describe_user_pool(original_resource.pool_id).name = name
        return original_resource

    def delete(self, account_id: str, region: str) -> None:
        backend = _backend(account_id, region)
        pool = backend.user_pools.get(self.pool_id)
        if pool is None:
            return
        try:
            backend.delete_user_pool(self.pool_id)  # refuses a pool with deletion protection on (cognito/service.py)
        except InvalidParameterException as exc:
            raise ResourceFailure(exc.message) from None


def _check_client_model(params: dict[str, Any], action: str = "CreateUserPoolClient") -> None:
    """The API model's rules for the client's properties (RetryGracePeriodSeconds 0-60, name pattern...), as
    Cognito applies them to the handler's call."""
    refused = model_rules.refusal_of("cognito-idp", action, params)
    if refused is not None:
        raise ResourceFailure(refused)


class UserPoolClient(_CognitoModel, CloudFormationModel):
    """AWS::Cognito::UserPoolClient: Ref is the client id."""

    CFN_TYPE = "AWS::Cognito::UserPoolClient"
    PHYSICAL_ID = "client_id"
    ATTRIBUTES = ("ClientId", "ClientSecret", "Name")

    def __init__(self, account_id: str, region: str, pool_id: str, client_id: str) -> None:
        super().__init__(account_id, region)
        self.pool_id = pool_id
        self.client_id = client_id

    def _attribute(self, name: str) -> Any:
        client = self.backend.describe_user_pool_client(self.pool_id, self.client_id)
        if name == "ClientSecret":
            if not client.generate_secret:
                raise ResourceFailure("ClientSecret is only available for clients with GenerateSecret: true")
            return client.secret
        return {"ClientId": client.id, "Name": client.extended_config.get("ClientName")}[name]

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> UserPoolClient:
        properties = _properties(cloudformation_json)
        pool_id = properties.pop("UserPoolId")
        secret = bool(properties.pop("GenerateSecret", False))
        properties.setdefault("ClientName", resource_name)
        _check_client_model({**properties, "UserPoolId": pool_id, "GenerateSecret": secret})
        client = _backend(account_id, region_name).create_user_pool_client(pool_id, secret, properties)
        return cls(account_id, region_name, pool_id, client.id)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls, original_resource: UserPoolClient, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> UserPoolClient:
        properties = _properties(cloudformation_json)
        properties.pop("UserPoolId", None)
        properties.pop("GenerateSecret", None)
        client = _backend(account_id, region_name).describe_user_pool_client(
            original_resource.pool_id, original_resource.client_id
        )
        properties.setdefault("ClientName", client.extended_config.get("ClientName"))
        _check_client_model({**properties, "UserPoolId": original_resource.pool_id,
                             "ClientId": original_resource.client_id}, "UpdateUserPoolClient")
        refresh.check_plan(_backend(account_id, region_name), original_resource.pool_id, properties)
        clients.check(_backend(account_id, region_name).describe_user_pool(original_resource.pool_id),
                      client.generate_secret, properties)
        client.extended_config = properties  # an update replaces the whole configuration, as on AWS
        return original_resource

    def delete(self, account_id: str, region: str) -> None:
        pool = _backend(account_id, region).user_pools.get(self.pool_id)
        if pool is not None:
            pool.clients.pop(self.client_id, None)


class UserPoolDomain(_CognitoModel, CloudFormationModel):
    """AWS::Cognito::UserPoolDomain: Ref is the domain (prefix or custom name)."""

    CFN_TYPE = "AWS::Cognito::UserPoolDomain"
    PHYSICAL_ID = "domain"
    ATTRIBUTES = ("CloudFrontDistribution",)

    def __init__(self, account_id: str, region: str, domain: str) -> None:
        super().__init__(account_id, region)
        self.domain = domain

    def _attribute(self, name: str) -> Any:
        domain = self.backend.describe_user_pool_domain(self.domain)
        return domain.to_json(extended=False)["CloudFrontDomain"] if domain else ""

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> UserPoolDomain:
        properties = _properties(cloudformation_json)
        domain = properties["Domain"]
        backend = _backend(account_id, region_name)
        if backend.describe_user_pool_domain(domain) is not None:
            raise ResourceFailure(f"Domain already associated with another user pool. (Domain: {domain})")
        backend.create_user_pool_domain(properties["UserPoolId"], domain, properties.get("CustomDomainConfig"))
        return cls(account_id, region_name, domain)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls, original_resource: UserPoolDomain, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> UserPoolDomain:
        properties = _properties(cloudformation_json)
        _backend(account_id, region_name).update_user_pool_domain(
            original_resource.domain, properties.get("CustomDomainConfig") or {}
        )
        return original_resource

    def delete(self, account_id: str, region: str) -> None:
        backend = _backend(account_id, region)
        if backend.describe_user_pool_domain(self.domain) is not None:
            backend.delete_user_pool_domain(self.domain)


class UserPoolGroup(_CognitoModel, CloudFormationModel):
    """AWS::Cognito::UserPoolGroup: Ref is the group name."""

    CFN_TYPE = "AWS::Cognito::UserPoolGroup"
    PHYSICAL_ID = "name"
    NAME_PROPERTY = "GroupName"

    def __init__(self, account_id: str, region: str, pool_id: str, name: str) -> None:
        super().__init__(account_id, region)
        self.pool_id = pool_id
        self.name = name

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> UserPoolGroup:
        p = _properties(cloudformation_json)
        pool_id = p["UserPoolId"]
        _backend(account_id, region_name).create_group(
            pool_id, resource_name, p.get("Description"), p.get("RoleArn"), p.get("Precedence")  # type: ignore[arg-type]
        )
        return cls(account_id, region_name, pool_id, resource_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls, original_resource: UserPoolGroup, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> UserPoolGroup:
        p = _properties(cloudformation_json)
        _backend(account_id, region_name).update_group(
            original_resource.pool_id, original_resource.name, p.get("Description"), p.get("RoleArn"), p.get("Precedence")  # type: ignore[arg-type]
        )
        return original_resource

    def delete(self, account_id: str, region: str) -> None:
        pool = _backend(account_id, region).user_pools.get(self.pool_id)
        if pool is not None and self.name in pool.groups:
            _backend(account_id, region).delete_group(self.pool_id, self.name)


class UserPoolResourceServer(_CognitoModel, CloudFormationModel):
    """AWS::Cognito::UserPoolResourceServer: Ref is the identifier. Name and Scopes change in place; a new
    Identifier or UserPoolId replaces it (the CloudFormation reference's "Update requires")."""

    CFN_TYPE = "AWS::Cognito::UserPoolResourceServer"
    PHYSICAL_ID = "identifier"

    def __init__(self, account_id: str, region: str, pool_id: str, identifier: str) -> None:
        super().__init__(account_id, region)
        self.pool_id = pool_id
        self.identifier = identifier

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> UserPoolResourceServer:
        p = _properties(cloudformation_json)
        try:
            _backend(account_id, region_name).create_resource_server(
                p["UserPoolId"], p["Identifier"], p.get("Name") or p["Identifier"], p.get("Scopes") or [])
        except InvalidParameterException as exc:
            raise ResourceFailure(exc.message) from exc
        return cls(account_id, region_name, p["UserPoolId"], p["Identifier"])

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls, original_resource: UserPoolResourceServer, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> UserPoolResourceServer:
        p = _properties(cloudformation_json)
        if (p["UserPoolId"], p["Identifier"]) != (original_resource.pool_id, original_resource.identifier):
            original_resource.delete(account_id, region_name)
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
        resource_servers.update(_backend(account_id, region_name), original_resource.pool_id,
                                original_resource.identifier, p.get("Name") or p["Identifier"], p.get("Scopes") or [])
        return original_resource

    def delete(self, account_id: str, region: str) -> None:
        pool = _backend(account_id, region).user_pools.get(self.pool_id)
        if pool is not None:
            pool.resource_servers.pop(self.identifier, None)
