"""CloudFormation models for AWS::CloudFront::Distribution, OriginAccessControl and ResponseHeadersPolicy.

Distributions and origin access controls live in moto's CloudFront backend, so the API (GetDistribution,
CreateInvalidation) sees them; the distribution's CloudFormation configuration is also kept in the
running emulator's state for the viewer (claimsctl/local/cloudfront/viewer.py). moto has no response
headers policies, so they live only in that state. Ref and Fn::GetAtt follow the CloudFormation reference.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from moto.cloudfront.models import CloudFrontBackend, cloudfront_backends
from moto.core.common_models import CloudFormationModel
from moto.utilities.utils import get_partition

from claimsctl.local import state
from claimsctl.local.cfn.errors import ResourceFailure
from claimsctl.local.cfn.model import Attributes


@dataclass
class ServedDistribution:
    """What the viewer needs of a distribution: its identity and its CloudFormation DistributionConfig."""

    id: str
    arn: str
    domain_name: str
    config: dict[str, Any]

    @property
    def host_label(self) -> str:
        """The first label of its domain name: the viewer answers at {label}.cloudfront.localhost."""
        return self.domain_name.split(".", 1)[0]


@dataclass
class HeadersPolicy:
    id: str
    config: dict[str, Any]
    last_modified: str = field(default_factory=lambda: datetime.datetime.now(datetime.UTC).isoformat())


DISTRIBUTIONS: state.Slot[dict[str, ServedDistribution]] = state.Slot(dict)
HEADERS_POLICIES: state.Slot[dict[str, HeadersPolicy]] = state.Slot(dict)


def _backend(account_id: str, region: str) -> CloudFrontBackend:
    return cloudfront_backends[account_id][get_partition(region)]  # type: ignore[no-any-return]


def _properties(cloudformation_json: dict[str, Any]) -> dict[str, Any]:
    return dict(cloudformation_json.get("Properties") or {})


def _items(values: list[Any] | None) -> dict[str, Any]:
    values = list(values or [])
    return {"Quantity": len(values), "Items": values}


def api_config(config: dict[str, Any], caller_reference: str) -> dict[str, Any]:
    """A CloudFormation DistributionConfig in the API's shape (lists as Quantity/Items), for moto's backend."""
    behavior = dict(config.get("DefaultCacheBehavior") or {})
    behavior["AllowedMethods"] = {**_items(behavior.get("AllowedMethods") or ["GET", "HEAD"]),
                                  "CachedMethods": _items(behavior.pop("CachedMethods", None) or ["GET", "HEAD"])}
    origins = [{key: value for key, value in origin.items() if key != "OriginAccessControlId"}
               for origin in config.get("Origins") or []]
    return {
        "CallerReference": caller_reference,
        "Comment": config.get("Comment", ""),
        "Enabled": config.get("Enabled", True),
        "DefaultRootObject": config.get("DefaultRootObject", ""),
        "Origins": _items(origins),
        "DefaultCacheBehavior": behavior,
        "CustomErrorResponses": _items(config.get("CustomErrorResponses")),
        "PriceClass": config.get("PriceClass", "PriceClass_All"),
        "HttpVersion": config.get("HttpVersion", "http2"),
        "IsIPV6Enabled": config.get("IPV6Enabled", True),
    }


class Distribution(Attributes, CloudFormationModel):
    """AWS::CloudFront::Distribution: Ref is the distribution id; GetAtt Id and DomainName."""

    CFN_TYPE = "AWS::CloudFront::Distribution"
    ATTRIBUTES = ("Id", "DomainName")

    def __init__(self, served: ServedDistribution) -> None:
        self.served = served

    @property
    def physical_resource_id(self) -> str:
        return self.served.id

    @property
    def Id(self) -> str:
        return self.served.id

    @property
    def DomainName(self) -> str:
        return self.served.domain_name

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> Distribution:
        properties = _properties(cloudformation_json)
        config = dict(properties["DistributionConfig"])
        tags = properties.get("Tags") or []
        backend = _backend(account_id, region_name)
        dist, _, _ = backend.create_distribution(api_config(config, str(uuid.uuid4())), tags)
        # moto writes the ARN without its empty region field; a bucket policy's aws:SourceArn names the real one
        dist.arn = f"arn:{get_partition(region_name)}:cloudfront::{account_id}:distribution/{dist.distribution_id}"
        backend.tagger.tag_resource(dist.arn, tags)
        served = ServedDistribution(dist.distribution_id, dist.arn, dist.domain_name, config)
        DISTRIBUTIONS.get()[served.id] = served
        return cls(served)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls, original_resource: Distribution, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> Distribution:
        config = dict(_properties(cloudformation_json)["DistributionConfig"])
        backend = _backend(account_id, region_name)
        dist, _ = backend.get_distribution(original_resource.served.id)
        backend.update_distribution(api_config(config, dist.distribution_config.caller_reference), dist.distribution_id,
                                    if_match=True)
        original_resource.served.config = config
        return original_resource

    def delete(self, account_id: str, region: str) -> None:
        backend = _backend(account_id, region)
        if self.served.id in backend.distributions:
            backend.delete_distribution(self.served.id, if_match=True)
        DISTRIBUTIONS.get().pop(self.served.id, None)


class OriginAccessControl(Attributes, CloudFormationModel):
    """AWS::CloudFront::OriginAccessControl: Ref is its id; GetAtt Id."""

    CFN_TYPE = "AWS::CloudFront::OriginAccessControl"
    PHYSICAL_ID = "Id"
    ATTRIBUTES = ("Id",)

    def __init__(self, control_id: str) -> None:
        self.Id = control_id

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> OriginAccessControl:
        config = _properties(cloudformation_json)["OriginAccessControlConfig"]
        backend = _backend(account_id, region_name)
        if any(control.name == config["Name"] for control in backend.origin_access_controls.values()):
            raise ResourceFailure(f"An origin access control named {config['Name']} already exists "
                                  "(OriginAccessControlAlreadyExists).")
        return cls(backend.create_origin_access_control(config).id)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls, original_resource: OriginAccessControl, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> OriginAccessControl:
        config = _properties(cloudformation_json)["OriginAccessControlConfig"]
        _backend(account_id, region_name).update_origin_access_control(original_resource.Id, config)
        return original_resource

    def delete(self, account_id: str, region: str) -> None:
        _backend(account_id, region).origin_access_controls.pop(self.Id, None)


class ResponseHeadersPolicy(Attributes, CloudFormationModel):
    """AWS::CloudFront::ResponseHeadersPolicy: Ref is its id; GetAtt Id and LastModifiedTime."""

    CFN_TYPE = "AWS::CloudFront::ResponseHeadersPolicy"
    ATTRIBUTES = ("Id", "LastModifiedTime")

    def __init__(self, policy: HeadersPolicy) -> None:
        self.policy = policy

    @property
    def physical_resource_id(self) -> str:
        return self.policy.id

    @property
    def Id(self) -> str:
        return self.policy.id

    @property
    def LastModifiedTime(self) -> str:
        return self.policy.last_modified

    @staticmethod
    def _check_name_free(config: dict[str, Any], own_id: str | None = None) -> None:
        name = config.get("Name")
        if any(p.config.get("Name") == name and p.id != own_id for p in HEADERS_POLICIES.get().values()):
            raise ResourceFailure(f"A response headers policy named {name} already exists "
                                  "(ResponseHeadersPolicyAlreadyExists).")

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> ResponseHeadersPolicy:
        config = _properties(cloudformation_json)["ResponseHeadersPolicyConfig"]
        cls._check_name_free(config)
        policy = HeadersPolicy(str(uuid.uuid4()), config)
        HEADERS_POLICIES.get()[policy.id] = policy
        return cls(policy)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls, original_resource: ResponseHeadersPolicy, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> ResponseHeadersPolicy:
        config = _properties(cloudformation_json)["ResponseHeadersPolicyConfig"]
        cls._check_name_free(config, original_resource.policy.id)
        original_resource.policy.config = config
        original_resource.policy.last_modified = datetime.datetime.now(datetime.UTC).isoformat()
        return original_resource

    def delete(self, account_id: str, region: str) -> None:
        HEADERS_POLICIES.get().pop(self.policy.id, None)
