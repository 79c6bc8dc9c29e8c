"""Stack updates: the change set a new template implies, and applying it with rollback on failure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moto.cloudformation.models import Stack

from claimsctl.local.cfn import schema
from claimsctl.local.cfn.engine import (
    _reason,
    _resolve,
    active_ids,
    create_resource,
    delete_resource,
    parsed,
    record,
    resolve_outputs,
    resource_map,
    set_status,
    state_of,
    update_resource,
)
from claimsctl.local.cfn.errors import ResourceFailure


@dataclass(frozen=True)
class PlannedChange:
    """One line of a change set."""

    action: str  # Add | Modify | Remove
    logical_id: str
    resource_type: str
    physical_id: str | None = None
    replacement: str | None = None  # "True" | "False" for Modify


def _type_in(template: dict[str, Any], logical_id: str) -> str:
    return str(template["Resources"][logical_id]["Type"])


def _needs_replacement(old_template: dict[str, Any], region: str, logical_id: str, new_type: str,
                       old: dict[str, Any], new: dict[str, Any]) -> bool:
    if new_type != _type_in(old_template, logical_id):
        return True
    return schema.requires_replacement(region, new_type, old, new)


def plan(stack: Stack, template: dict[str, Any], parameters: dict[str, Any]) -> list[PlannedChange]:
    """The changes applying `template` with `parameters` would make, as a change set lists them."""
    rmap = resource_map(stack, template, parameters, dry_run=True)
    state = state_of(stack)
    changes: list[PlannedChange] = []
    new_ids = active_ids(template, rmap)
    for logical_id in new_ids:
        new_type = template["Resources"][logical_id]["Type"]
        if logical_id not in state.resolved:
            changes.append(PlannedChange("Add", logical_id, new_type))
            continue
        props = _resolve(rmap, template["Resources"][logical_id])
        old = state.resolved[logical_id]
        if props != old or new_type != _type_in(stack.template_dict, logical_id):
            replace = _needs_replacement(stack.template_dict, stack.region_name, logical_id, new_type, old, props)
            physical = getattr(parsed(rmap)[logical_id], "physical_resource_id", None)
            changes.append(PlannedChange("Modify", logical_id, new_type, physical, str(replace)))
    for logical_id in state.resolved:
        if logical_id not in new_ids:
            physical = getattr(parsed(stack.resource_map)[logical_id], "physical_resource_id", None)
            changes.append(PlannedChange("Remove", logical_id, _type_in(stack.template_dict, logical_id), physical))
    return changes


class _Update:
    """One update of one stack, with what it takes to undo it."""

    def __init__(self, stack: Stack, template_body: str, template: dict[str, Any], parameters: dict[str, Any]) -> None:
        self.stack = stack
        self.template_body = template_body
        self.template = template
        self.parameters = parameters
        self.old_body = stack.template
        self.old_template = stack.template_dict
        self.old_parameters = stack.parameters
        self.old_map = stack.resource_map
        self.old_resolved = dict(state_of(stack).resolved)
        self.undo: list[tuple[str, str, Any]] = []
        self.replaced: list[tuple[str, Any]] = []

    def run(self) -> None:
        stack = self.stack
        set_status(stack, "UPDATE_IN_PROGRESS", "User Initiated")
        rmap = resource_map(stack, self.template, self.parameters)
        stack.resource_map = rmap
        stack.template_dict = self.template
        current = stack.name
        try:
            for current in active_ids(self.template, rmap):
                self._apply(current)
            state_of(stack).outputs = resolve_outputs(stack, rmap)
        except Exception as exc:  # noqa: BLE001 - any failure rolls the update back, as AWS does
            status = "UPDATE_FAILED" if current in self.old_resolved else "CREATE_FAILED"
            resource_type = self.template["Resources"].get(current, {}).get("Type", "AWS::CloudFormation::Stack")
            record(stack, current, resource_type, status, _reason(exc))
            self._rollback(current)
            return
        self._cleanup()

    def _apply(self, logical_id: str) -> None:
        stack, rmap = self.stack, self.stack.resource_map
        if logical_id not in self.old_resolved:
            create_resource(stack, rmap, logical_id)
            self.undo.append(("added", logical_id, None))
            return
        new_type = self.template["Resources"][logical_id]["Type"]
        props = _resolve(rmap, self.template["Resources"][logical_id])
        old = self.old_resolved[logical_id]
        if props == old and new_type == _type_in(self.old_template, logical_id):
            return
        if _needs_replacement(self.old_template, stack.region_name, logical_id, new_type, old, props):
            previous = parsed(rmap).pop(logical_id)
            self.undo.append(("replaced", logical_id, previous))
            create_resource(stack, rmap, logical_id)
            self.replaced.append((logical_id, previous))
        else:
            self.undo.append(("modified", logical_id, old))
            update_resource(stack, rmap, logical_id, props)

    def _cleanup(self) -> None:
        stack = self.stack
        set_status(stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
        new_ids = set(self.template["Resources"])
        state = state_of(stack)
        for logical_id in reversed(list(self.old_resolved)):
            if logical_id not in new_ids and logical_id in state.resolved:
                self._delete_old(parsed(stack.resource_map).pop(logical_id), logical_id)
                state.resolved.pop(logical_id, None)
        for logical_id, previous in reversed(self.replaced):
            self._delete_old(previous, logical_id, "UpdateReplacePolicy")
        stack.template = self.template_body
        stack.parameters = self.parameters
        set_status(stack, "UPDATE_COMPLETE")

    def _delete_old(self, resource: Any, logical_id: str, policy: str = "DeletionPolicy") -> None:
        try:
            delete_resource(self.stack, resource, self.old_template["Resources"][logical_id], policy)
        except ResourceFailure:
            pass  # AWS leaves such a resource behind and still completes the update

    def _rollback(self, failed: str) -> None:
        stack = self.stack
        set_status(stack, "UPDATE_ROLLBACK_IN_PROGRESS", f"The following resource(s) failed to update: [{failed}].")
        ok = True
        for action, logical_id, previous in reversed(self.undo):
            try:
                self._undo_one(action, logical_id, previous)
            except Exception:  # noqa: BLE001 - keep undoing the rest; the stack ends UPDATE_ROLLBACK_FAILED
                ok = False
        stack.template = self.old_body
        stack.template_dict = self.old_template
        stack.parameters = self.old_parameters
        stack.resource_map = self.old_map
        state_of(stack).resolved = dict(self.old_resolved)
        state_of(stack).outputs = resolve_outputs(stack, self.old_map) if ok else state_of(stack).outputs
        if ok:
            set_status(stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
        set_status(stack, "UPDATE_ROLLBACK_COMPLETE" if ok else "UPDATE_ROLLBACK_FAILED")

    def _undo_one(self, action: str, logical_id: str, previous: Any) -> None:
        stack, new_map = self.stack, self.stack.resource_map
        if action == "added" or action == "replaced":
            created = parsed(new_map).pop(logical_id, None)
            if created is not None:
                delete_resource(stack, created, self.template["Resources"][logical_id], undoing_create=True)
            if action == "replaced":
                parsed(self.old_map)[logical_id] = previous
            return
        parsed(self.old_map)[logical_id] = parsed(new_map)[logical_id]
        stack.resource_map = self.old_map
        stack.template_dict = self.old_template
        try:
            update_resource(stack, self.old_map, logical_id, previous)
        finally:
            stack.resource_map = new_map
            stack.template_dict = self.template


def run_update(stack: Stack, template_body: str, template: dict[str, Any], parameters: dict[str, Any]) -> None:
    _Update(stack, template_body, template, parameters).run()
