"""Stack operations the way CloudFormation runs them: ordered, evented, asynchronous, rolled back on failure.

moto's own engine creates resources lazily inside the API call, records no
resource events and leaves a failed stack in *_IN_PROGRESS. This engine keeps
moto's Stack objects (so moto's API responses still work) and moto's resource
models (so each service's backend is used), and replaces how they are driven.
"""

from __future__ import annotations

import copy
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.cloudformation.models import Event, Stack
from moto.cloudformation.parsing import (
    ResourceMap,
    clean_json,
    generate_resource_name,
    resource_class_from_type,
    resource_name_property_from_type,
)

from claimsctl.local.cfn import schema
from claimsctl.local.cfn.errors import ResourceFailure
from claimsctl.local.cfn.template import creation_order
from claimsctl.local.urls import emulator_url

STEP_DELAY_ENV = "CLAIMSCTL_EMULATOR_STEP_DELAY"


class Placeholder:
    """Stands for a resource that does not exist yet while a change set is computed."""

    def __init__(self, logical_id: str) -> None:
        self.physical_resource_id = f"{{{{unresolved:{logical_id}}}}}"
        self.logical_id = logical_id

    def get_cfn_attribute(self, name: str) -> str:
        return f"{{{{unresolved:{self.logical_id}.{name}}}}}"


class StrictResourceMap(ResourceMap):
    """A ResourceMap that never creates a resource as a side effect of resolving a reference."""

    dry_run = False

    def __getitem__(self, key: str) -> Any:
        if key in self._parsed_resources:
            return self._parsed_resources[key]
        if key in self._resource_json_map:
            if self.dry_run:
                return Placeholder(key)
            raise ResourceFailure(f"Resource {key} is referenced before it exists")
        raise KeyError(key)


@dataclass
class StackState:
    """What the engine knows of a stack beyond moto's Stack object."""

    resolved: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: list[dict[str, Any]] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def parsed(rmap: ResourceMap) -> dict[str, Any]:
    """moto's map of a stack's live resource objects by logical id (a private attribute: only this module
    names it; update.py goes through here)."""
    return rmap._parsed_resources  # type: ignore[no-any-return]


def resource_map(stack: Stack, template: dict[str, Any], parameters: dict[str, Any],
                 dry_run: bool = False) -> StrictResourceMap:
    """A loaded resource map for `template` that already holds the stack's existing resources."""
    rmap = StrictResourceMap(
        stack.stack_id, stack.name, parameters, stack.tags,
        region_name=stack.region_name, account_id=stack.account_id,
        template=template, cross_stack_resources=stack.cross_stack_resources,
    )
    rmap.dry_run = dry_run
    rmap.load()
    for logical_id in state_of(stack).resolved:
        rmap._parsed_resources[logical_id] = stack.resource_map._parsed_resources[logical_id]
    return rmap


def state_of(stack: Stack) -> StackState:
    state = getattr(stack, "_claimsctl_state", None)
    if state is None:
        state = StackState()
        stack._claimsctl_state = state  # type: ignore[attr-defined]
    return state


def created_resources(stack: Stack) -> list[Any]:
    parsed = stack.resource_map._parsed_resources
    return [parsed[lid] for lid in state_of(stack).resolved if lid in parsed]


# -- events -------------------------------------------------------------------


def record(stack: Stack, logical_id: str, resource_type: str, status: str,
           reason: str | None = None, physical_id: str | None = None) -> None:
    event = Event(
        stack_id=stack.stack_id,
        stack_name=stack.name,
        logical_resource_id=logical_id,
        physical_resource_id=physical_id or "",
        resource_type=resource_type,
        resource_status=status,
        resource_status_reason=reason,
        resource_properties=None,
    )
    stack.events.append(event)


def set_status(stack: Stack, status: str, reason: str | None = None) -> None:
    stack.status = status
    record(stack, stack.name, "AWS::CloudFormation::Stack", status, reason, stack.stack_id)


def _pause() -> None:
    delay = float(os.environ.get(STEP_DELAY_ENV, "0") or 0)
    if delay > 0:
        time.sleep(delay)


def _reason(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if isinstance(exc, ResourceFailure):
        return message
    return f'Resource handler returned message: "{message}"'


# -- one resource ---------------------------------------------------------------


def _resolve(rmap: ResourceMap, resource_json: dict[str, Any]) -> dict[str, Any]:
    resolved = clean_json(copy.deepcopy(resource_json.get("Properties") or {}), rmap)
    return resolved if isinstance(resolved, dict) else {}


def _physical_name(stack: Stack, logical_id: str, resource_type: str, props: dict[str, Any]) -> str:
    name_property = resource_name_property_from_type(resource_type)
    if name_property and props.get(name_property):
        return str(props[name_property])
    return generate_resource_name(resource_type, stack.name, logical_id)


def _physical_id(resource: Any) -> str:
    return str(getattr(resource, "physical_resource_id", "") or "")


def create_resource(stack: Stack, rmap: ResourceMap, logical_id: str) -> Any:
    resource_json = rmap._resource_json_map[logical_id]
    resource_type = resource_json["Type"]
    record(stack, logical_id, resource_type, "CREATE_IN_PROGRESS")
    _pause()
    props = _resolve(rmap, resource_json)
    schema.validate_properties(stack.region_name, logical_id, resource_type, props)
    resource_class = resource_class_from_type(resource_type)
    resource = resource_class.create_from_cloudformation_json(
        _physical_name(stack, logical_id, resource_type, props),
        {"Type": resource_type, "Properties": copy.deepcopy(props)},
        stack.account_id, stack.region_name,
        LogicalId=logical_id, StackId=stack.stack_id, ResourceType=resource_type,
    )
    resource.cf_resource_type = resource_type
    resource.logical_resource_id = logical_id
    rmap._parsed_resources[logical_id] = resource
    state_of(stack).resolved[logical_id] = props
    record(stack, logical_id, resource_type, "CREATE_COMPLETE", physical_id=_physical_id(resource))
    return resource


def update_resource(stack: Stack, rmap: ResourceMap, logical_id: str, props: dict[str, Any]) -> None:
    resource_type = rmap._resource_json_map[logical_id]["Type"]
    resource = rmap._parsed_resources[logical_id]
    record(stack, logical_id, resource_type, "UPDATE_IN_PROGRESS", physical_id=_physical_id(resource))
    _pause()
    schema.validate_properties(stack.region_name, logical_id, resource_type, props)
    resource_class = resource_class_from_type(resource_type)
    if getattr(resource_class.update_from_cloudformation_json, "__isabstractmethod__", False):
        # moto cannot change this type in place; its backend object stays as it is (data kept),
        # and the new properties are recorded, which is what later diffs compare against.
        state_of(stack).resolved[logical_id] = props
        record(stack, logical_id, resource_type, "UPDATE_COMPLETE", physical_id=_physical_id(resource))
        return
    updated = resource_class.update_from_cloudformation_json(
        original_resource=resource,
        new_resource_name=_physical_id(resource) or _physical_name(stack, logical_id, resource_type, props),
        cloudformation_json={"Type": resource_type, "Properties": copy.deepcopy(props)},
        account_id=stack.account_id, region_name=stack.region_name,
    )
    updated.cf_resource_type = resource_type
    updated.logical_resource_id = logical_id
    rmap._parsed_resources[logical_id] = updated
    state_of(stack).resolved[logical_id] = props
    record(stack, logical_id, resource_type, "UPDATE_COMPLETE", physical_id=_physical_id(updated))


def delete_resource(stack: Stack, resource: Any, resource_json: dict[str, Any], policy: str = "DeletionPolicy",
                    undoing_create: bool = False) -> None:
    """Delete one resource, unless its policy retains it (DeletionPolicy; UpdateReplacePolicy for a replaced one).

    RetainExceptOnCreate retains, except when a rollback undoes the operation that created the resource.
    """
    logical_id = resource.logical_resource_id
    resource_type = resource_json["Type"]
    physical_id = _physical_id(resource)
    value = resource_json.get(policy)
    if value == "Retain" or (value == "RetainExceptOnCreate" and not undoing_create):
        record(stack, logical_id, resource_type, "DELETE_SKIPPED", physical_id=physical_id)
        return
    record(stack, logical_id, resource_type, "DELETE_IN_PROGRESS", physical_id=physical_id)
    _pause()
    try:
        stack.resource_map._delete_resource(resource, resource_json)
    except Exception as exc:
        record(stack, logical_id, resource_type, "DELETE_FAILED", _reason(exc), physical_id)
        raise ResourceFailure(_reason(exc)) from exc
    record(stack, logical_id, resource_type, "DELETE_COMPLETE", physical_id=physical_id)


# -- outputs ------------------------------------------------------------------


def resolve_outputs(stack: Stack, rmap: ResourceMap) -> list[dict[str, Any]]:
    outputs = []
    for key, output in (stack.template_dict.get("Outputs") or {}).items():
        condition = output.get("Condition")
        if condition and not rmap.lazy_condition_map.get(condition):
            continue
        value = clean_json(output["Value"], rmap)
        item: dict[str, Any] = {"OutputKey": key, "OutputValue": emulator_url(value)}
        if output.get("Description"):
            item["Description"] = output["Description"]
        if output.get("Export"):
            item["ExportName"] = clean_json(output["Export"].get("Name"), rmap)
        outputs.append(item)
    return outputs


# -- whole-stack operations -------------------------------------------------------


def active_ids(template: dict[str, Any], rmap: ResourceMap) -> list[str]:
    """Resources in creation order, without those whose Condition is false."""
    resources = template.get("Resources") or {}
    return [
        lid for lid in creation_order(template)
        if not resources[lid].get("Condition") or rmap.lazy_condition_map[resources[lid]["Condition"]]
    ]


def run_create(stack: Stack) -> None:
    rmap = stack.resource_map
    state = state_of(stack)
    stack.status = "CREATE_IN_PROGRESS"
    created: list[str] = []
    logical_id = stack.name
    try:
        for logical_id in active_ids(stack.template_dict, rmap):
            create_resource(stack, rmap, logical_id)
            created.append(logical_id)
        state.outputs = resolve_outputs(stack, rmap)
    except Exception as exc:  # noqa: BLE001 - any failure rolls the stack back, as AWS does
        failed_type = rmap._resource_json_map.get(logical_id, {}).get("Type", "AWS::CloudFormation::Stack")
        record(stack, logical_id, failed_type, "CREATE_FAILED", _reason(exc))
        _rollback_create(stack, created, logical_id)
        return
    set_status(stack, "CREATE_COMPLETE")


def _rollback_create(stack: Stack, created: list[str], failed: str) -> None:
    set_status(stack, "ROLLBACK_IN_PROGRESS",
               f"The following resource(s) failed to create: [{failed}]. Rollback requested by user.")
    if _delete_all(stack, created, undoing_create=True):
        set_status(stack, "ROLLBACK_COMPLETE")
    else:
        set_status(stack, "ROLLBACK_FAILED")


def _delete_all(stack: Stack, logical_ids: list[str], undoing_create: bool = False) -> bool:
    """Delete in reverse order; True when nothing failed."""
    rmap = stack.resource_map
    state = state_of(stack)
    ok = True
    for logical_id in reversed(logical_ids):
        resource = rmap._parsed_resources.get(logical_id)
        if resource is None or logical_id not in state.resolved:
            continue
        try:
            delete_resource(stack, resource, rmap._resource_json_map[logical_id], undoing_create=undoing_create)
        except ResourceFailure:
            ok = False
            continue
        rmap._parsed_resources.pop(logical_id, None)
        state.resolved.pop(logical_id, None)
    return ok


def run_delete(stack: Stack, on_deleted: Callable[[], None]) -> None:
    set_status(stack, "DELETE_IN_PROGRESS", "User Initiated")
    order = [lid for lid in creation_order(stack.template_dict) if lid in state_of(stack).resolved] \
        if stack.template_dict else []
    if not _delete_all(stack, order):
        set_status(stack, "DELETE_FAILED", "The following resource(s) failed to delete. See the resource events.")
        return
    state_of(stack).outputs = None
    set_status(stack, "DELETE_COMPLETE")
    on_deleted()


def run_in_background(stack: Stack, operation: Callable[[], None]) -> None:
    """Run an operation on its own thread, one operation per stack at a time."""
    state = state_of(stack)

    def runner() -> None:
        with state.lock:
            operation()

    threading.Thread(target=runner, name=f"cfn-{stack.name}", daemon=True).start()
