"""The deploy and teardown journeys: package, upload, render, deploy, write the web constants; and undo it all."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimsctl import package, render, stack, webconfig
from claimsctl.aws import Aws, error_details
from claimsctl.errors import AwsError, StackNotFoundError
from claimsctl.inputs import StackInputs

MANAGED_TAG = "claimsctl:managed"


@dataclass(frozen=True)
class Project:
    """Where a project's files are: its stackInputs.json and the folders beside it."""

    inputs_path: Path
    templates_dir: Path
    lambda_dir: Path
    web_app_dir: Path

    @classmethod
    def from_inputs(cls, inputs_path: Path) -> Project:
        root = inputs_path.resolve().parent
        shipped = Path(__file__).resolve().parents[1]  # the source checkout claimsctl runs from

        def folder(name: str) -> Path:
            local = root / name
            return local if local.exists() or not (shipped / name).exists() else shipped / name

        return cls(inputs_path, folder("templates"), folder("lambda_src"), folder("pre-token-web-app"))


@dataclass
class DeployOutcome:
    result: stack.DeployResult
    bucket: str
    artifact_key: str
    artifact_uploaded: bool
    constants_file: Path | None


@dataclass
class TeardownOutcome:
    existed: bool
    retained: list[str] = field(default_factory=list)
    artifacts_removed: int = 0
    bucket_removed: str | None = None
    constants_removed: Path | None = None


def default_bucket(aws: Aws) -> str:
    return f"claimsctl-artifacts-{aws.account_id()}-{aws.region}"


def _bucket_exists(s3: Any, bucket: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        s3.head_bucket(Bucket=bucket)
        return True
    except ClientError as exc:
        if error_details(exc)[0] in ("404", "NoSuchBucket", "NotFound"):
            return False
        raise AwsError(f"Cannot use artifact bucket {bucket}: {exc}") from exc


def _create_bucket(s3: Any, bucket: str, region: str) -> None:
    kwargs: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**kwargs)
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": MANAGED_TAG, "Value": "true"}]})


def _upload(s3: Any, bucket: str, key: str, data: bytes) -> bool:
    """Upload unless an object with this content-addressed key is already there."""
    from botocore.exceptions import ClientError

    try:
        s3.head_object(Bucket=bucket, Key=key)
        return False
    except ClientError:
        s3.put_object(Bucket=bucket, Key=key, Body=data, ContentType="application/zip")
        return True


def build_artifact(aws: Aws, project: Project, inputs: StackInputs) -> package.Artifact:
    """lambda_src/ with, for AWS, its requirements installed for the function's runtime and architecture."""
    requirements = project.lambda_dir / "requirements.txt"
    dependencies = None
    if requirements.exists() and not aws.local:
        dependencies = package.vendor(requirements, inputs.lambda_runtime, inputs.lambda_architecture)
    return package.build(project.lambda_dir, dependencies)


def prepare_artifact(aws: Aws, project: Project, inputs: StackInputs, bucket: str | None) -> tuple[str, str, bool]:
    """Package lambda_src/, make sure the bucket exists, upload; return (bucket, key, uploaded)."""
    artifact = build_artifact(aws, project, inputs)
    s3 = aws.client("s3")
    name = bucket or default_bucket(aws)
    if not _bucket_exists(s3, name):
        if bucket:
            raise AwsError(f"Artifact bucket {bucket} does not exist; create it or leave out --artifact-bucket.")
        _create_bucket(s3, name, aws.region)
    key = artifact.key(inputs.stack_name)
    return name, key, _upload(s3, name, key, artifact.data)


def render_for(project: Project, inputs: StackInputs, bucket: str, key: str) -> str:
    return render.render(project.templates_dir, inputs, render.CodeLocation(bucket, key))


def deploy(aws: Aws, project: Project, inputs: StackInputs, bucket: str | None, confirm: stack.Confirm,
           on_event: stack.EventSink, waiter: stack.Waiter | None = None) -> DeployOutcome:
    bucket_name, key, uploaded = prepare_artifact(aws, project, inputs, bucket)
    body = render_for(project, inputs, bucket_name, key)
    tags = {"claimsctl:stack": inputs.stack_name, **dict(inputs.tags)}
    result = stack.deploy(aws.client("cloudformation"), inputs.stack_name, body, tags, confirm, on_event, waiter)
    constants_file = None
    if {"Region", "UserPoolId", "UserPoolClientId", "HostedUiUrl"} <= set(result.outputs):
        values = webconfig.settings(result.outputs, inputs.callback_urls[0], inputs.logout_urls[0], aws.endpoint_url)
        constants_file = webconfig.write(project.web_app_dir, values)
    return DeployOutcome(result, bucket_name, key, uploaded, constants_file)


def outputs(aws: Aws, inputs: StackInputs) -> dict[str, str]:
    """The deployed stack's outputs; StackNotFoundError if it is not deployed."""
    found = stack.describe(aws.client("cloudformation"), inputs.stack_name)
    if found is None:
        raise StackNotFoundError(f"Stack {inputs.stack_name} is not deployed in {aws.region}; run `claimsctl deploy` first.")
    if found["StackStatus"] not in ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"):
        raise StackNotFoundError(f"Stack {inputs.stack_name} is {found['StackStatus']}; run `claimsctl deploy` to fix it.")
    return stack.outputs_of(found)


def status(aws: Aws, inputs: StackInputs) -> dict[str, Any] | None:
    return stack.describe(aws.client("cloudformation"), inputs.stack_name)


def _remove_artifacts(s3: Any, bucket: str, stack_name: str) -> int:
    removed = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"claimsctl/{stack_name}/"):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
            removed += len(keys)
    return removed


def _managed_and_empty(s3: Any, bucket: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}
    except ClientError:
        return False
    return tags.get(MANAGED_TAG) == "true" and not s3.list_objects_v2(Bucket=bucket, MaxKeys=1).get("KeyCount")


def teardown(aws: Aws, project: Project, inputs: StackInputs, bucket: str | None, on_event: stack.EventSink,
             waiter: stack.Waiter | None = None) -> TeardownOutcome:
    outcome = TeardownOutcome(existed=True)
    try:
        outcome.retained = stack.delete(aws.client("cloudformation"), inputs.stack_name, on_event, waiter)
    except StackNotFoundError:
        outcome.existed = False
    s3 = aws.client("s3")
    name = bucket or default_bucket(aws)
    if _bucket_exists(s3, name):
        outcome.artifacts_removed = _remove_artifacts(s3, name, inputs.stack_name)
        if bucket is None and _managed_and_empty(s3, name):
            s3.delete_bucket(Bucket=name)
            outcome.bucket_removed = name
    outcome.constants_removed = webconfig.remove(project.web_app_dir)
    return outcome
