"""The teardown journey, as a plan and then the act: what would be deleted (and whether deletion protection
forbids it), then the deletion of the stack, its tables (unless kept), the web app, the artifacts and the
web config. The act checks the plan's guard again itself, so no caller can skip it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from claimsctl import stack, tables, webconfig
from claimsctl.aws import Aws, AwsCallError
from claimsctl.deployment import web
from claimsctl.deployment.artifacts import (
    BucketState,
    artifact_bucket,
    bucket_state,
    remove_artifacts,
    remove_bucket_if_ours_and_empty,
)
from claimsctl.deployment.project import ProjectFolder
from claimsctl.errors import StackError, StackNotFoundError
from claimsctl.inputs import StackInputs


@dataclass(frozen=True)
class TeardownPlan:
    """What a teardown of this stack would delete: its tables (with their rows) and its web bucket."""

    stack_name: str
    tables: tuple[tables.Table, ...]
    web_bucket: str | None
    keep_data: bool

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)


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


def check_deletable(aws: Aws, inputs: StackInputs) -> None:
    """StackError, before anything is deleted, when the stack's user pool has deletion protection on.
    claimsctl never turns it off itself: that is the owner's decision, made in stackInputs.json."""
    found = stack.describe(aws.client("cloudformation"), inputs.stack_name)
    pool_id = stack.outputs_of(found).get("UserPoolId") if found else None
    if not pool_id:
        return
    try:
        pool = aws.client("cognito-idp").describe_user_pool(UserPoolId=pool_id)["UserPool"]
    except AwsCallError as exc:
        if exc.not_found:
            return
        raise
    if pool.get("DeletionProtection") == "ACTIVE":
        raise StackError(
            f"User pool {pool_id} of stack {inputs.stack_name} has deletion protection on, so teardown stops "
            "before deleting anything. To delete it: set \"deletionProtection\": false in stackInputs.json, run "
            "`claimsctl deploy`, then `claimsctl teardown`.")


def plan(aws: Aws, inputs: StackInputs, keep_data: bool = False) -> TeardownPlan:
    """What teardown would delete; StackError first when deletion protection forbids it."""
    check_deletable(aws, inputs)
    found = tables.in_stack(aws.client("cloudformation"), aws.client("dynamodb"), inputs.stack_name)
    return TeardownPlan(inputs.stack_name, tuple(found), web.web_bucket_of(aws, inputs.stack_name), keep_data)


def _delete_stack_and_tables(aws: Aws, planned: TeardownPlan, outcome: TeardownOutcome, on_event: stack.EventSink,
                             waiter: stack.Waiter | None) -> None:
    try:
        outcome.retained = stack.delete(aws.client("cloudformation"), planned.stack_name, on_event, waiter)
    except StackNotFoundError:
        outcome.existed = False
    retained_tables = [t for t in planned.tables if t.logical_id in outcome.retained]
    if planned.keep_data:
        outcome.tables_kept = retained_tables
    else:
        outcome.tables_deleted = tables.delete(aws.client("dynamodb"), retained_tables)
    outcome.retained = [r for r in outcome.retained if r not in {t.logical_id for t in retained_tables}]


def _remove_artifacts(aws: Aws, bucket: str | None, stack_name: str, outcome: TeardownOutcome) -> None:
    s3 = aws.client("s3")
    target = artifact_bucket(aws, bucket)
    if bucket_state(s3, target) is BucketState.OWNED:
        outcome.artifacts_removed = remove_artifacts(s3, target, stack_name)
        if remove_bucket_if_ours_and_empty(s3, target):
            outcome.bucket_removed = target.name


def teardown(aws: Aws, project: ProjectFolder, inputs: StackInputs, bucket: str | None, on_event: stack.EventSink,
             waiter: stack.Waiter | None = None, planned: TeardownPlan | None = None) -> TeardownOutcome:
    """Carry out `planned` (made now when not given). Deletion protection is checked first in either case:
    a protected pool stops the teardown before anything, the web bucket included, is touched."""
    if planned is None:
        planned = plan(aws, inputs)  # which checks deletion protection first
    else:
        check_deletable(aws, inputs)  # again: it may have been turned on since the plan was made
    outcome = TeardownOutcome(existed=True)
    outcome.web_objects_removed = web.empty_web_bucket(aws, inputs.stack_name)
    _delete_stack_and_tables(aws, planned, outcome, on_event, waiter)
    _remove_artifacts(aws, bucket, inputs.stack_name, outcome)
    outcome.web_config_removed = webconfig.remove(project.web_config)
    return outcome
