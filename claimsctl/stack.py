"""Create or update a stack through a change set, stream its events, wait, read outputs; delete it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from claimsctl.aws import AwsCallError
from claimsctl.errors import Aborted, StackError, StackNotFoundError

TERMINAL_OK = {"CREATE_COMPLETE", "UPDATE_COMPLETE"}
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]


@dataclass(frozen=True)
class StackEvent:
    logical_id: str
    resource_type: str
    status: str
    reason: str | None
    timestamp: Any = None


@dataclass(frozen=True)
class Change:
    """One line of a change set: + Add, ~ Modify, - Remove."""

    action: str
    logical_id: str
    resource_type: str
    replacement: str | None = None

    @property
    def symbol(self) -> str:
        return {"Add": "+", "Modify": "~", "Remove": "-"}.get(self.action, "?")


class DeployStatus(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UP_TO_DATE = "up-to-date"


@dataclass
class DeployResult:
    status: DeployStatus
    outputs: dict[str, str] = field(default_factory=dict)
    recreated: bool = False


@dataclass
class Waiter:
    """How long to wait and how often to look; `sleep` is injected so tests need not wait."""

    poll_seconds: float = 2.0
    timeout_seconds: float = 3600.0
    sleep: Callable[[float], None] = time.sleep


EventSink = Callable[[StackEvent], None]
Confirm = Callable[[list[Change]], bool]


def describe(cfn: Any, name: str) -> dict[str, Any] | None:
    try:
        return cfn.describe_stacks(StackName=name)["Stacks"][0]  # type: ignore[no-any-return]
    except AwsCallError as exc:
        if exc.code == "ValidationError" and "does not exist" in exc.message:
            return None
        raise StackError(f"Cannot read stack {name}: {exc.message}") from exc


def outputs_of(stack: dict[str, Any]) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []}


def _events_since(cfn: Any, stack_id: str, seen: set[str]) -> list[StackEvent]:
    fresh = []
    for page in cfn.get_paginator("describe_stack_events").paginate(StackName=stack_id):
        for raw in page["StackEvents"]:
            if raw["EventId"] in seen:
                break
            seen.add(raw["EventId"])
            fresh.append(StackEvent(raw["LogicalResourceId"], raw["ResourceType"], raw["ResourceStatus"],
                                    raw.get("ResourceStatusReason"), raw.get("Timestamp")))
        else:
            continue
        break
    return list(reversed(fresh))


def _seen_events(cfn: Any, stack_id: str) -> set[str]:
    seen: set[str] = set()
    _events_since(cfn, stack_id, seen)
    return seen


def wait_for(cfn: Any, stack_id: str, seen: set[str], on_event: EventSink, waiter: Waiter,
             done: Callable[[str], bool]) -> tuple[str, list[StackEvent]]:
    """Stream new events until the stack's status satisfies `done`; return it and the events seen."""
    deadline = time.monotonic() + waiter.timeout_seconds
    events: list[StackEvent] = []
    while True:
        for event in _events_since(cfn, stack_id, seen):
            events.append(event)
            on_event(event)
        status = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]
        if done(status):
            for event in _events_since(cfn, stack_id, seen):
                events.append(event)
                on_event(event)
            return status, events
        if time.monotonic() > deadline:
            raise StackError(f"Timed out after {waiter.timeout_seconds:.0f}s waiting for {stack_id} (last status {status})")
        waiter.sleep(waiter.poll_seconds)


def _not_in_progress(status: str) -> bool:
    return not status.endswith("_IN_PROGRESS")


def failures(events: list[StackEvent]) -> list[tuple[str, str]]:
    """The resources that failed, with their reasons (the stack's own rollback notes left out)."""
    return [(e.logical_id, e.reason or "no reason given") for e in events
            if e.status.endswith("_FAILED") and e.resource_type != "AWS::CloudFormation::Stack"]


def _prepare(cfn: Any, name: str, on_event: EventSink, waiter: Waiter) -> tuple[str, bool]:
    """Decide CREATE or UPDATE, clearing a stack an earlier failed create left behind."""
    stack = describe(cfn, name)
    if stack and not _not_in_progress(stack["StackStatus"]) and stack["StackStatus"] != "REVIEW_IN_PROGRESS":
        wait_for(cfn, stack["StackId"], _seen_events(cfn, stack["StackId"]), on_event, waiter, _not_in_progress)
        stack = describe(cfn, name)
    if stack is None or stack["StackStatus"] == "REVIEW_IN_PROGRESS":
        return "CREATE", False
    if stack["StackStatus"] == "ROLLBACK_COMPLETE":
        delete(cfn, name, on_event, waiter)
        return "CREATE", True
    if stack["StackStatus"] in ("ROLLBACK_FAILED", "DELETE_FAILED", "UPDATE_ROLLBACK_FAILED"):
        raise StackError(f"Stack {name} is in {stack['StackStatus']}; fix the resources named in its events, "
                         "then run `claimsctl teardown` (or continue the rollback in the console)")
    return "UPDATE", False


def _create_change_set(cfn: Any, name: str, body: str, kind: str, tags: dict[str, str],
                       parameters: dict[str, str]) -> str | None:
    try:
        response = cfn.create_change_set(
            StackName=name, ChangeSetName=f"claimsctl-{int(time.time() * 1000)}", TemplateBody=body,
            ChangeSetType=kind, Capabilities=CAPABILITIES, Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(parameters.items())],
        )
    except AwsCallError as exc:
        if any(marker in exc.message for marker in NO_CHANGES):
            return None
        raise StackError(f"CloudFormation refused the template for {name}: {exc.message}") from exc
    return str(response["Id"])


def _wait_change_set(cfn: Any, change_set_id: str, waiter: Waiter) -> dict[str, Any] | None:
    deadline = time.monotonic() + 300
    while True:
        change_set = cfn.describe_change_set(ChangeSetName=change_set_id)
        if change_set["Status"] in ("CREATE_COMPLETE", "FAILED"):
            break
        if time.monotonic() > deadline:
            raise StackError(f"Change set {change_set_id} did not finish creating")
        waiter.sleep(waiter.poll_seconds)
    if change_set["Status"] == "FAILED":
        reason = change_set.get("StatusReason", "")
        cfn.delete_change_set(ChangeSetName=change_set_id)
        if any(marker in reason for marker in NO_CHANGES):
            return None
        raise StackError(f"The change set failed: {reason}")
    return change_set  # type: ignore[no-any-return]


def _changes(change_set: dict[str, Any]) -> list[Change]:
    return [
        Change(c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"],
               c["ResourceChange"]["ResourceType"], c["ResourceChange"].get("Replacement"))
        for c in change_set.get("Changes", []) if c.get("ResourceChange")
    ]


def deploy(cfn: Any, name: str, body: str, tags: dict[str, str], confirm: Confirm, on_event: EventSink,
           waiter: Waiter | None = None, parameters: dict[str, str] | None = None) -> DeployResult:
    """Create or update `name` from `body` with these Parameters; ask `confirm` before executing an update."""
    waiter = waiter or Waiter()
    kind, recreated = _prepare(cfn, name, on_event, waiter)
    change_set_id = _create_change_set(cfn, name, body, kind, tags, parameters or {})
    change_set = _wait_change_set(cfn, change_set_id, waiter) if change_set_id else None
    if change_set is None:
        return DeployResult(DeployStatus.UP_TO_DATE, outputs_of(describe(cfn, name) or {}))
    changes = _changes(change_set)
    if kind == "UPDATE":
        try:
            approved = confirm(changes)
        except BaseException:  # a refusal (data loss) or Ctrl-C at the prompt: leave no change set behind
            cfn.delete_change_set(ChangeSetName=change_set_id)
            raise
        if not approved:
            cfn.delete_change_set(ChangeSetName=change_set_id)
            raise Aborted("Deploy cancelled; the stack was not changed.")
    stack_id = change_set["StackId"]
    seen = _seen_events(cfn, stack_id)
    cfn.execute_change_set(ChangeSetName=change_set_id)
    status, events = wait_for(cfn, stack_id, seen, on_event, waiter, _not_in_progress)
    if status not in TERMINAL_OK:
        raise StackError(f"Deploying {name} failed; the stack is {status}.", failures(events))
    result_status = DeployStatus.CREATED if kind == "CREATE" else DeployStatus.UPDATED
    return DeployResult(result_status, outputs_of(describe(cfn, name) or {}), recreated)


def delete(cfn: Any, name: str, on_event: EventSink, waiter: Waiter | None = None) -> list[str]:
    """Delete the stack and wait; return the logical ids of resources it retained."""
    waiter = waiter or Waiter()
    stack = describe(cfn, name)
    if stack is None:
        raise StackNotFoundError(f"Stack {name} does not exist.")
    stack_id = stack["StackId"]
    seen = _seen_events(cfn, stack_id)
    cfn.delete_stack(StackName=stack_id)
    status, events = wait_for(cfn, stack_id, seen, on_event, waiter, _not_in_progress)
    if status != "DELETE_COMPLETE":
        raise StackError(f"Deleting {name} failed; the stack is {status}.", failures(events))
    return [e.logical_id for e in events if e.status == "DELETE_SKIPPED"]
