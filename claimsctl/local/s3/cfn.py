"""CloudFormation for the S3 settings moto's stacks skip: AWS::S3::BucketPolicy, and a bucket's
PublicAccessBlockConfiguration and OwnershipControls (moto's AWS::S3::Bucket applies only encryption and tags).
Deleting a bucket that holds objects fails, as on AWS; moto's stacks skipped it silently, leaving the bucket."""

from __future__ import annotations

import functools
import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.s3.models import FakeBucket, S3Backend, s3_backends
from moto.utilities.utils import get_partition

from claimsctl.local import patches
from claimsctl.local.cfn.errors import ResourceFailure
from claimsctl.local.cfn.model import Attributes, ReplacedOnUpdate


def _backend(account_id: str, region: str) -> S3Backend:
    return s3_backends[account_id][get_partition(region)]  # type: ignore[no-any-return]


class BucketPolicy(Attributes, ReplacedOnUpdate, CloudFormationModel):
    """AWS::S3::BucketPolicy: Ref is the bucket's name; no attributes."""

    CFN_TYPE = "AWS::S3::BucketPolicy"
    PHYSICAL_ID = "bucket"

    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> BucketPolicy:
        properties = cloudformation_json.get("Properties") or {}
        bucket, document = properties["Bucket"], properties["PolicyDocument"]
        backend = _backend(account_id, region_name)
        if bucket not in backend.buckets:
            raise ResourceFailure(f"The specified bucket does not exist (Bucket: {bucket})")
        text = document if isinstance(document, str) else json.dumps(document)
        backend.put_bucket_policy(bucket, text.encode())
        return cls(bucket)

    def delete(self, account_id: str, region: str) -> None:
        backend = _backend(account_id, region)
        if self.bucket in backend.buckets:
            backend.delete_bucket_policy(self.bucket)


def _apply_settings(bucket: FakeBucket, properties: dict[str, Any], account_id: str, region: str) -> None:
    backend = _backend(account_id, region)
    block = properties.get("PublicAccessBlockConfiguration")
    if block:
        backend.put_public_access_block(bucket.name, block)
    rules = (properties.get("OwnershipControls") or {}).get("Rules") or []
    if rules:
        backend.put_bucket_ownership_controls(bucket.name, {"ObjectOwnership": rules[0]["ObjectOwnership"]})


def _with_settings(original: Any) -> Any:
    @functools.wraps(original)
    def made(cls: type, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
             *args: Any, **kwargs: Any) -> FakeBucket:
        bucket = original(resource_name, cloudformation_json, account_id, region_name, *args, **kwargs)
        _apply_settings(bucket, cloudformation_json.get("Properties") or {}, account_id, region_name)
        return bucket  # type: ignore[no-any-return]

    return classmethod(made)


def _delete_only_when_empty(cls: type, resource_name: str, cloudformation_json: Any, account_id: str,
                            region_name: str) -> None:
    backend = _backend(account_id, region_name)
    bucket = backend.buckets.get(resource_name)
    if bucket is None:
        return
    if bucket.keys:
        raise ResourceFailure("The bucket you tried to delete is not empty (Service: S3, Status Code: 409, "
                              f"Error Code: BucketNotEmpty; Bucket: {resource_name})")
    backend.delete_bucket(resource_name)


PATCHES = (
    patches.replace(FakeBucket, "delete_from_cloudformation_json", classmethod(_delete_only_when_empty)),
    patches.wrap(FakeBucket, "create_from_cloudformation_json", _with_settings),
    patches.wrap(FakeBucket, "update_from_cloudformation_json", _with_settings),
)
