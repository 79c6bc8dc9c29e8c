"""The Lambda code's bucket and object: which bucket, that this account owns it (and, for claimsctl's default
bucket, that claimsctl made it), the upload, and their removal at teardown."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from claimsctl import package
from claimsctl.aws import Aws, AwsCallError
from claimsctl.deployment.project import ProjectFolder
from claimsctl.errors import AwsError
from claimsctl.inputs import StackInputs

MANAGED_TAG = "claimsctl:managed"


class BucketState(StrEnum):
    MISSING = "missing"
    OWNED = "owned"
    FOREIGN = "foreign"  # it exists, but another account owns it


@dataclass(frozen=True)
class ArtifactBucket:
    """Where the Lambda code goes: a bucket name and the account that must own it (every S3 call says so)."""

    name: str
    owner: str
    ours: bool  # claimsctl's default bucket (tagged), not one the user named


def default_bucket_name(account: str, region: str) -> str:
    return f"claimsctl-artifacts-{account}-{region}"


def bucket_state(s3: Any, bucket: ArtifactBucket) -> BucketState:
    try:
        s3.head_bucket(Bucket=bucket.name, ExpectedBucketOwner=bucket.owner)
        return BucketState.OWNED
    except AwsCallError as exc:
        if exc.not_found:
            return BucketState.MISSING
        if exc.code in ("403", "AccessDenied", "Forbidden"):
            return BucketState.FOREIGN
        raise AwsError(f"Cannot use artifact bucket {bucket.name}: {exc}") from exc


def tagged_as_ours(s3: Any, bucket: ArtifactBucket) -> bool:
    try:
        tag_set = s3.get_bucket_tagging(Bucket=bucket.name, ExpectedBucketOwner=bucket.owner)["TagSet"]
    except AwsCallError:
        return False
    return {t["Key"]: t["Value"] for t in tag_set}.get(MANAGED_TAG) == "true"


def _create_bucket(s3: Any, bucket: ArtifactBucket, region: str) -> None:
    kwargs: dict[str, Any] = {"Bucket": bucket.name}
    if region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**kwargs)
    owner = {"ExpectedBucketOwner": bucket.owner}
    s3.put_public_access_block(Bucket=bucket.name, **owner, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_encryption(Bucket=bucket.name, **owner, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3.put_bucket_tagging(Bucket=bucket.name, **owner, Tagging={"TagSet": [{"Key": MANAGED_TAG, "Value": "true"}]})


def ensure_bucket(s3: Any, bucket: ArtifactBucket, region: str) -> None:
    """Use the bucket only if this account owns it (and, for the default name, claimsctl tagged it)."""
    state = bucket_state(s3, bucket)
    if state is BucketState.FOREIGN:
        raise AwsError(f"Artifact bucket {bucket.name} exists but is not owned by account {bucket.owner}; "
                       "claimsctl will not put code there. Pass --artifact-bucket with a bucket of yours.")
    if state is BucketState.MISSING:
        if not bucket.ours:
            raise AwsError(f"Artifact bucket {bucket.name} does not exist; create it or leave out --artifact-bucket.")
        _create_bucket(s3, bucket, region)
    elif bucket.ours and not tagged_as_ours(s3, bucket):
        raise AwsError(f"Bucket {bucket.name} exists in your account but claimsctl did not create it (no "
                       f"{MANAGED_TAG} tag); pass --artifact-bucket to use it deliberately.")


def _sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def upload(s3: Any, bucket: ArtifactBucket, key: str, data: bytes) -> bool:
    """Upload unless an object whose SHA-256 checksum matches the artifact is already at this key."""
    checksum = _sha256_b64(data)
    try:
        head = s3.head_object(Bucket=bucket.name, Key=key, ExpectedBucketOwner=bucket.owner, ChecksumMode="ENABLED")
        if head.get("ChecksumSHA256") == checksum:
            return False
    except AwsCallError as exc:
        if not exc.not_found:
            raise AwsError(f"Cannot read s3://{bucket.name}/{key}: {exc.message}") from exc
    s3.put_object(Bucket=bucket.name, Key=key, Body=data, ContentType="application/zip",
                  ExpectedBucketOwner=bucket.owner, ChecksumAlgorithm="SHA256", ChecksumSHA256=checksum)
    return True


def build_artifact(aws: Aws, project: ProjectFolder, inputs: StackInputs) -> package.Artifact:
    """lambda_src/ with, for AWS, its requirements installed for the function's runtime and architecture."""
    requirements = project.lambda_dir / "requirements.txt"
    dependencies = None
    if requirements.exists() and not aws.local:
        dependencies = package.vendor(requirements, inputs.lambda_runtime, inputs.lambda_architecture)
    declared = inputs.routes if inputs.routes is not None and inputs.api != "none" else ()
    return package.build(project.lambda_dir, dependencies, declared)  # declared routes need their handlers


def artifact_bucket(aws: Aws, bucket: str | None) -> ArtifactBucket:
    account = aws.account_id()
    return ArtifactBucket(bucket or default_bucket_name(account, aws.region), account, ours=bucket is None)


def prepare_artifact(aws: Aws, project: ProjectFolder, inputs: StackInputs, bucket: str | None) -> tuple[str, str]:
    """Package lambda_src/, make sure the bucket exists and is ours, upload; return (bucket, key)."""
    artifact = build_artifact(aws, project, inputs)
    s3 = aws.client("s3")
    target = artifact_bucket(aws, bucket)
    ensure_bucket(s3, target, aws.region)
    key = artifact.key(inputs.stack_name)
    upload(s3, target, key, artifact.data)
    return target.name, key


def remove_artifacts(s3: Any, bucket: ArtifactBucket, stack_name: str) -> int:
    removed = 0
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket.name, Prefix=f"claimsctl/{stack_name}/",
                                                         ExpectedBucketOwner=bucket.owner)
    for page in pages:
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket.name, Delete={"Objects": keys, "Quiet": True},
                              ExpectedBucketOwner=bucket.owner)
            removed += len(keys)
    return removed


def remove_bucket_if_ours_and_empty(s3: Any, bucket: ArtifactBucket) -> bool:
    """Delete claimsctl's default bucket once it holds nothing; True when it was deleted."""
    empty = not s3.list_objects_v2(Bucket=bucket.name, MaxKeys=1, ExpectedBucketOwner=bucket.owner).get("KeyCount")
    if not (bucket.ours and empty and tagged_as_ours(s3, bucket)):
        return False
    s3.delete_bucket(Bucket=bucket.name, ExpectedBucketOwner=bucket.owner)
    return True
