"""The deploy and teardown journeys: package, upload, render, deploy, write the web constants; and undo it all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimsctl import package, render, stack, tables, webconfig, webhost
from claimsctl.aws import Aws, error_details
from claimsctl.errors import AwsError, StackError, StackNotFoundError
from claimsctl.inputs import StackInputs
from claimsctl.outputs import StackOutputs

MANAGED_TAG = "claimsctl:managed"


@dataclass(frozen=True)
class ProjectFolder:
    """Where a project's files are: its stackInputs.json and the folders beside it."""

    inputs_path: Path
    templates_dir: Path
    lambda_dir: Path
    web_config: Path
    own_sources: tuple[str, ...] = ()  # which of templates/lambda_src are the project folder's own copies

    @property
    def web_app(self) -> webhost.WebApp:
        """The web app "web": {"hosting": "s3"} builds and publishes: pre-token-web-app/ beside the inputs."""
        return webhost.WebApp(self.inputs_path.resolve().parent / webconfig.WEB_APP)

    @classmethod
    def from_inputs(cls, inputs_path: Path, web_config: Path | None = None) -> ProjectFolder:
        """The project folder's own templates/ and lambda_src/ when it has them, else the ones claimsctl ships."""
        from claimsctl import resources

        root = inputs_path.resolve().parent
        templates, own_templates = resources.for_project(root, "templates")
        lambda_dir, own_lambda = resources.for_project(root, "lambda_src")
        own = tuple(name for name, mine in (("templates", own_templates), ("lambda_src", own_lambda)) if mine)
        return cls(inputs_path, templates, lambda_dir, web_config or webconfig.default_path(root), own)

    def describe_sources(self) -> str:
        """One line saying where the templates and Lambda code come from."""
        def origin(name: str, path: Path) -> str:
            return f"{name} from {path}" + (" (the project's own)" if name in self.own_sources else " (shipped)")

        return f"Using {origin('templates', self.templates_dir)} and {origin('lambda_src', self.lambda_dir)}."


@dataclass
class DeployOutcome:
    result: stack.DeployResult
    web_config: Path | None
    web: webhost.Published | None = None


@dataclass
class TeardownOutcome:
    existed: bool
    retained: list[str] = field(default_factory=list)
    artifacts_removed: int = 0
    bucket_removed: str | None = None
    web_objects_removed: int = 0
    web_config_removed: Path | None = None
    tables_deleted: list[str] = field(default_factory=list)
    tables_kept: list[tables.Table] = field(default_factory=list)


@dataclass(frozen=True)
class ArtifactBucket:
    """Where the Lambda code goes: a bucket name and the account that must own it (every S3 call says so)."""

    name: str
    owner: str
    ours: bool  # claimsctl's default bucket (tagged), not one the user named


def default_bucket_name(account: str, region: str) -> str:
    return f"claimsctl-artifacts-{account}-{region}"


def _bucket_state(s3: Any, bucket: ArtifactBucket) -> str:
    """'missing', 'owned', or 'foreign' (it exists, but another account owns it)."""
    from botocore.exceptions import ClientError

    try:
        s3.head_bucket(Bucket=bucket.name, ExpectedBucketOwner=bucket.owner)
        return "owned"
    except ClientError as exc:
        code = error_details(exc)[0]
        if code in ("404", "NoSuchBucket", "NotFound"):
            return "missing"
        if code in ("403", "AccessDenied", "Forbidden"):
            return "foreign"
        raise AwsError(f"Cannot use artifact bucket {bucket.name}: {exc}") from exc


def _tagged_as_ours(s3: Any, bucket: ArtifactBucket) -> bool:
    from botocore.exceptions import ClientError

    try:
        tag_set = s3.get_bucket_tagging(Bucket=bucket.name, ExpectedBucketOwner=bucket.owner)["TagSet"]
    except ClientError:
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
    state = _bucket_state(s3, bucket)
    if state == "foreign":
        raise AwsError(f"Artifact bucket {bucket.name} exists but is not owned by account {bucket.owner}; "
                       "claimsctl will not put code there. Pass --artifact-bucket with a bucket of yours.")
    if state == "missing":
        if not bucket.ours:
            raise AwsError(f"Artifact bucket {bucket.name} does not exist; create it or leave out --artifact-bucket.")
        _create_bucket(s3, bucket, region)
    elif bucket.ours and not _tagged_as_ours(s3, bucket):
        raise AwsError(f"Bucket {bucket.name} exists in your account but claimsctl did not create it (no "
                       f"{MANAGED_TAG} tag); pass --artifact-bucket to use it deliberately.")


def _sha256_b64(data: bytes) -> str:
    import base64
    import hashlib

    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def _upload(s3: Any, bucket: ArtifactBucket, key: str, data: bytes) -> bool:
    """Upload unless an object whose SHA-256 checksum matches the artifact is already at this key."""
    from botocore.exceptions import ClientError

    checksum = _sha256_b64(data)
    try:
        head = s3.head_object(Bucket=bucket.name, Key=key, ExpectedBucketOwner=bucket.owner, ChecksumMode="ENABLED")
        if head.get("ChecksumSHA256") == checksum:
            return False
    except ClientError as exc:
        if error_details(exc)[0] not in ("404", "NoSuchKey", "NotFound"):
            raise AwsError(f"Cannot read s3://{bucket.name}/{key}: {error_details(exc)[1]}") from exc
    s3.put_object(Bucket=bucket.name, Key=key, Body=data, ContentType="application/zip",
                  ExpectedBucketOwner=bucket.owner, ChecksumAlgorithm="SHA256", ChecksumSHA256=checksum)
    return True


def build_artifact(aws: Aws, project: ProjectFolder, inputs: StackInputs) -> package.Artifact:
    """lambda_src/ with, for AWS, its requirements installed for the function's runtime and architecture."""
    requirements = project.lambda_dir / "requirements.txt"
    dependencies = None
    if requirements.exists() and not aws.local:
        dependencies = package.vendor(requirements, inputs.lambda_runtime, inputs.lambda_architecture)
    return package.build(project.lambda_dir, dependencies)


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
    _upload(s3, target, key, artifact.data)
    return target.name, key


def render_for(project: ProjectFolder, inputs: StackInputs) -> str:
    return render.render(project.templates_dir, inputs)


def _guarded(aws: Aws, inputs: StackInputs, confirm: stack.Confirm, allow_data_loss: bool) -> stack.Confirm:
    """`confirm`, preceded by the data-loss check: a table holding rows is never replaced or removed silently."""

    def check(changes: list[stack.Change]) -> bool:
        if not allow_data_loss and any(c.resource_type == tables.TABLE_TYPE for c in changes):
            found = tables.in_stack(aws.client("cloudformation"), aws.client("dynamodb"), inputs.stack_name)
            tables.refuse_data_loss(changes, found)
        approved = confirm(changes)
        if approved and any(c.logical_id == WEB_BUCKET and (c.action == "Remove" or c.replacement == "True")
                            for c in changes):
            _empty_web_bucket(aws, inputs)  # CloudFormation deletes only an empty bucket; the app is rebuilt anyway
        return approved

    return check


def _publish_web(aws: Aws, stack_name: str, parsed: StackOutputs, files: list[webhost.WebFile],
                 on_file: Callable[[str], None]) -> webhost.Published:
    """Upload the built app to the stack's web bucket, with the configuration of this hosted copy."""
    bucket = web_bucket_of(aws, stack_name)
    if not (parsed.web_url and bucket and parsed.web_distribution_id) or parsed.web_bucket != bucket:
        raise StackError(f'"web": {{"hosting": "s3"}} needs the stack\'s {WEB_BUCKET} resource and its WebUrl, '
                         "WebBucketName (naming that bucket) and WebDistributionId outputs; the project's own "
                         "templates lack or change them. Compare them with claimsctl's templates/partials/web.yaml.j2.")
    site = webhost.Site(bucket, aws.account_id(), parsed.web_distribution_id, parsed.web_url)
    config = webconfig.settings(parsed, parsed.web_url, parsed.web_url, aws.endpoint_url)
    return webhost.publish(aws.client("s3"), aws.client("cloudfront"), site, files, config, on_file)


def production_warnings(inputs: StackInputs, endpoint_url: str | None) -> list[str]:
    """What a deploy to AWS (no endpoint URL) keeps that production should not: callbacks to this machine,
    the implicit grant (tokens in the URL) and USER_PASSWORD_AUTH (the password sent to Cognito)."""
    if endpoint_url:
        return []
    found = []
    if inputs.local_callbacks:
        found.append(f"the app client will accept sign-ins redirected to {', '.join(inputs.local_callbacks)} "
                     "(any program listening on that port of a user's machine gets the code or tokens); "
                     "remove them from callbackUrls and logoutUrls for production.")
    if inputs.implicit_flow:
        found.append('the implicit grant is on (tokens in the URL); set "implicitFlow": false for production.')
    if inputs.user_password_auth:
        found.append('USER_PASSWORD_AUTH is on (passwords sent to Cognito); set "userPasswordAuth": false for '
                     "production (claimsctl login then uses SRP).")
    return found


def deploy(aws: Aws, project: ProjectFolder, inputs: StackInputs, bucket: str | None, confirm: stack.Confirm,
           on_event: stack.EventSink, waiter: stack.Waiter | None = None, allow_data_loss: bool = False,
           on_web_files: Callable[[int], Callable[[str], None]] = lambda total: lambda key: None) -> DeployOutcome:
    """Build the web app (when hosted) and the Lambda code, deploy the stack, publish the app, write the config.
    `on_web_files(total)` returns what is told of each web file as it is uploaded (a progress bar)."""
    webconfig.check_writable(project.web_config)
    built, files = False, []
    if inputs.hosted_web:  # first: a failed build, or a link out of dist/, leaves nothing deployed
        project.web_app.check_buildable()
        built = webhost.build(project.web_app)
        files = webhost.built_files(project.web_app)
    bucket_name, key = prepare_artifact(aws, project, inputs, bucket)
    body = render_for(project, inputs)
    tags = {"claimsctl:stack": inputs.stack_name, **dict(inputs.tags)}
    result = stack.deploy(aws.client("cloudformation"), inputs.stack_name, body, tags,
                          _guarded(aws, inputs, confirm, allow_data_loss), on_event, waiter,
                          render.CodeLocation(bucket_name, key).as_parameters())
    parsed = StackOutputs.parse(result.outputs, inputs.stack_name)
    published = None
    if inputs.hosted_web:
        published = _publish_web(aws, inputs.stack_name, parsed, files, on_web_files(len(files)))
        published.built = built
    redirect = next(iter(inputs.callback_urls), parsed.web_url or "")  # none given: the hosted copy's own URL
    logout = next(iter(inputs.logout_urls), parsed.web_url or "")
    values = webconfig.settings(parsed, redirect, logout, aws.endpoint_url)
    web_config = webconfig.write(project.web_config, values)
    return DeployOutcome(result, web_config, published)


def outputs(aws: Aws, inputs: StackInputs) -> StackOutputs:
    """The deployed stack's outputs; StackNotFoundError if it is not deployed."""
    found = stack.describe(aws.client("cloudformation"), inputs.stack_name)
    if found is None:
        raise StackNotFoundError(f"Stack {inputs.stack_name} is not deployed in {aws.region}; run `claimsctl deploy` first.")
    if found["StackStatus"] not in ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"):
        raise StackNotFoundError(f"Stack {inputs.stack_name} is {found['StackStatus']}; run `claimsctl deploy` to fix it.")
    return StackOutputs.parse(stack.outputs_of(found), inputs.stack_name)


def status(aws: Aws, inputs: StackInputs) -> dict[str, Any] | None:
    return stack.describe(aws.client("cloudformation"), inputs.stack_name)


def _remove_artifacts(s3: Any, bucket: ArtifactBucket, stack_name: str) -> int:
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


def _managed_and_empty(s3: Any, bucket: ArtifactBucket) -> bool:
    empty = not s3.list_objects_v2(Bucket=bucket.name, MaxKeys=1, ExpectedBucketOwner=bucket.owner).get("KeyCount")
    return _tagged_as_ours(s3, bucket) and empty


def stack_tables(aws: Aws, inputs: StackInputs) -> list[tables.Table]:
    """The stack's tables and their rows: what teardown would delete."""
    return tables.in_stack(aws.client("cloudformation"), aws.client("dynamodb"), inputs.stack_name)


def check_deletable(aws: Aws, inputs: StackInputs) -> None:
    """StackError, before anything is deleted, when the stack's user pool has deletion protection on.
    claimsctl never turns it off itself: that is the owner's decision, made in stackInputs.json."""
    found = stack.describe(aws.client("cloudformation"), inputs.stack_name)
    pool_id = stack.outputs_of(found).get("UserPoolId") if found else None
    if not pool_id:
        return
    try:
        pool = aws.client("cognito-idp").describe_user_pool(UserPoolId=pool_id)["UserPool"]
    except Exception as exc:
        if error_details(exc)[0] == "ResourceNotFoundException":
            return
        raise
    if pool.get("DeletionProtection") == "ACTIVE":
        raise StackError(
            f"User pool {pool_id} of stack {inputs.stack_name} has deletion protection on, so teardown stops "
            "before deleting anything. To delete it: set \"deletionProtection\": false in stackInputs.json, run "
            "`claimsctl deploy`, then `claimsctl teardown`.")


WEB_BUCKET = "WebBucket"  # the logical id of the web app's bucket in templates/partials/web.yaml.j2


def web_bucket_of(aws: Aws, stack_name: str) -> str | None:
    """The stack's own web bucket: the physical id of its WebBucket resource, never a name read from an output
    (an output can name any bucket; emptying one must only ever touch the stack's)."""
    from botocore.exceptions import ClientError

    try:
        found = aws.client("cloudformation").describe_stack_resource(
            StackName=stack_name, LogicalResourceId=WEB_BUCKET)["StackResourceDetail"]
    except ClientError:  # no such stack, or no such resource in it
        return None
    if found["ResourceType"] != "AWS::S3::Bucket":
        return None
    return found.get("PhysicalResourceId") or None


def _empty_web_bucket(aws: Aws, inputs: StackInputs) -> int:
    """Empty the stack's web bucket (the built app, regenerated by every deploy) so CloudFormation can delete it."""
    bucket = web_bucket_of(aws, inputs.stack_name)
    if not bucket:
        return 0
    s3 = aws.client("s3")
    if _bucket_state(s3, ArtifactBucket(bucket, aws.account_id(), ours=False)) != "owned":
        return 0
    return webhost.empty(s3, bucket, aws.account_id())


def teardown(aws: Aws, project: ProjectFolder, inputs: StackInputs, bucket: str | None, on_event: stack.EventSink,
             waiter: stack.Waiter | None = None, keep_data: bool = False,
             found: list[tables.Table] | None = None) -> TeardownOutcome:
    """Delete the stack (its tables are retained by policy), then the tables unless `keep_data`."""
    outcome = TeardownOutcome(existed=True)
    found = stack_tables(aws, inputs) if found is None else found
    outcome.web_objects_removed = _empty_web_bucket(aws, inputs)
    try:
        outcome.retained = stack.delete(aws.client("cloudformation"), inputs.stack_name, on_event, waiter)
    except StackNotFoundError:
        outcome.existed = False
    retained_tables = [t for t in found if t.logical_id in outcome.retained]
    if keep_data:
        outcome.tables_kept = retained_tables
    else:
        outcome.tables_deleted = tables.delete(aws.client("dynamodb"), retained_tables)
    outcome.retained = [r for r in outcome.retained if r not in {t.logical_id for t in retained_tables}]
    s3 = aws.client("s3")
    target = artifact_bucket(aws, bucket)
    if _bucket_state(s3, target) == "owned":
        outcome.artifacts_removed = _remove_artifacts(s3, target, inputs.stack_name)
        if target.ours and _managed_and_empty(s3, target):
            s3.delete_bucket(Bucket=target.name, ExpectedBucketOwner=target.owner)
            outcome.bucket_removed = target.name
    outcome.web_config_removed = webconfig.remove(project.web_config)
    return outcome
