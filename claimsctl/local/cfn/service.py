"""Wires the stack engine and the extra resource models into moto's CloudFormation backend."""

from __future__ import annotations

import base64
import json
import threading
from typing import Any

from moto.awslambda.models import LambdaFunction, Permission, lambda_backends
from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.cloudformation.exceptions import AlreadyExistsException, ValidationError
from moto.cloudformation.models import ChangeSet, CloudFormationBackend, Stack
from moto.cloudformation.parsing import Export
from moto.cloudformation.responses import CloudFormationResponse
from moto.cloudformation.utils import generate_stack_id

from claimsctl.local import patches
from claimsctl.local.cfn import engine, update
from claimsctl.local.cfn import template as cfn_template

UPDATABLE = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE",
             "IMPORT_ROLLBACK_COMPLETE"}


def supported_types() -> set[str]:
    return set(parsing.get_model_map())


def _refresh_model_registry() -> None:
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()


def _validated(template_body: str) -> dict[str, Any]:
    """The parsed template, after the checks CloudFormation makes before acting (ValidationError if not)."""
    template = Stack.parse_template(template_body)
    cfn_template.validate(template, supported_types())
    return template


def _check_updatable(stack: Stack) -> None:
    if stack.status not in UPDATABLE:
        raise ValidationError(message=f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated.")


# -- Stack -------------------------------------------------------------------------


def _create_resource_map(self: Stack) -> engine.StrictResourceMap:
    return engine.resource_map(self, self.template_dict, self.parameters)


def _outputs(self: Stack) -> list[dict[str, Any]] | None:
    return engine.state_of(self).outputs or None


def _exports(self: Stack) -> list[Export]:
    return [
        Export(self.stack_id, o["ExportName"], o["OutputValue"])
        for o in (engine.state_of(self).outputs or []) if o.get("ExportName")
    ]


def _stack_update(self: Stack, template_body: str, role_arn: str | None = None,
                  parameters: dict[str, Any] | None = None, tags: dict[str, str] | None = None) -> None:
    _check_updatable(self)
    new_template = _validated(template_body)
    if self.has_template(template_body) and (parameters is None or self.has_parameters(parameters)):
        raise ValidationError(message="No updates are to be performed.")
    self.status = "UPDATE_IN_PROGRESS"
    params = parameters if parameters is not None else self.parameters
    engine.run_in_background(self, lambda: update.run_update(self, template_body, new_template, params))


# -- backend ---------------------------------------------------------------------------


def _create_stack(self: CloudFormationBackend, name: str, template: str, parameters: dict[str, Any],
                  **kwargs: Any) -> Stack:
    if any(s.name == name for s in self.stacks.values()):
        raise AlreadyExistsException(f"Stack [{name}] already exists")
    _validated(template)
    stack = Stack(  # type: ignore[abstract]
        stack_id=generate_stack_id(name, self.region_name, self.account_id),
        name=name, template=template, parameters=parameters,
        account_id=self.account_id, region_name=self.region_name,
        notification_arns=kwargs.get("notification_arns"), tags=kwargs.get("tags"),
        role_arn=kwargs.get("role_arn"), cross_stack_resources=self.exports,
        enable_termination_protection=kwargs.get("enable_termination_protection"),
        timeout_in_mins=kwargs.get("timeout_in_mins"), stack_policy_body=kwargs.get("stack_policy_body"),
    )
    self.stacks[stack.stack_id] = stack
    engine.set_status(stack, "CREATE_IN_PROGRESS", "User Initiated")
    engine.run_in_background(stack, lambda: _create_and_export(self, stack))
    return stack


def _create_and_export(backend: CloudFormationBackend, stack: Stack) -> None:
    engine.run_create(stack)
    for export in stack.exports:
        backend.exports[export.name] = export


def _create_change_set(original: Any) -> Any:
    def create_change_set(self: CloudFormationBackend, stack_name: str, change_set_name: str, template: str,
                          parameters: dict[str, str], description: str, change_set_type: str,
                          **kwargs: Any) -> tuple[str, str]:
        existing = [s for s in self.stacks.values() if s.name == stack_name]
        if change_set_type == "CREATE" and existing and existing[0].status != "REVIEW_IN_PROGRESS":
            raise AlreadyExistsException(f"Stack [{stack_name}] already exists")
        if change_set_type == "UPDATE" and existing:
            _check_updatable(existing[0])
        _validated(template)
        if change_set_type == "CREATE" and existing:
            self.stacks.pop(existing[0].stack_id)  # a second CREATE change set replaces the review stack
        change_set_id, stack_id = original(self, stack_name, change_set_name, template, parameters, description,
                                           change_set_type, **kwargs)
        _finish_later(self.change_sets[change_set_id])
        return change_set_id, stack_id

    return create_change_set


CHANGE_SET_STEP_SECONDS = 0.05


def _finish_later(change_set: ChangeSet) -> None:
    """As on AWS, a change set is computed after CreateChangeSet returns: CREATE_PENDING, CREATE_IN_PROGRESS,
    then CREATE_COMPLETE (or FAILED), with ExecutionStatus UNAVAILABLE until it can be executed."""
    final = (change_set.status, change_set.execution_status)
    change_set.status, change_set.execution_status = "CREATE_PENDING", "UNAVAILABLE"

    def in_progress() -> None:
        change_set.status = "CREATE_IN_PROGRESS"
        threading.Timer(CHANGE_SET_STEP_SECONDS, done).start()

    def done() -> None:
        change_set.status, change_set.execution_status = final

    threading.Timer(CHANGE_SET_STEP_SECONDS, in_progress).start()


def _list_change_sets(self: CloudFormationResponse) -> Any:
    """Only the named stack's change sets (moto lists every stack's)."""
    from moto.core.responses import ActionResult

    name = self._get_param("StackName")
    sets = [c for c in self.cloudformation_backend.list_change_sets() if name in (c.stack_name, c.stack_id)]
    return ActionResult({"Summaries": sets})


def _create_change_set_response(original: Any) -> Any:
    """ChangeSetType defaults to UPDATE, as on AWS (moto defaults to CREATE)."""

    def create_change_set(self: CloudFormationResponse) -> Any:
        if not self._get_param("ChangeSetType"):
            if self.automated_parameter_parsing:
                self.params["ChangeSetType"] = "UPDATE"
            else:
                self.querystring["ChangeSetType"] = ["UPDATE"]
        return original(self)

    return create_change_set


def _change_set_diff(self: ChangeSet) -> list[Any]:
    if self.change_set_type == "CREATE":
        planned = [update.PlannedChange("Add", lid, r["Type"]) for lid, r in self.template_dict["Resources"].items()]
    else:
        params = {**self.stack.parameters, **(self.parameters or {})}
        planned = update.plan(self.stack, self.template_dict, params)
    return [_as_change(p) for p in planned]


def _as_change(planned: update.PlannedChange) -> Any:
    """A moto Change; the serializer reads ResourceChange's members from its attributes."""
    change = cfn_models.Change(planned.action, planned.logical_id, planned.resource_type)
    change.type = "Resource"  # type: ignore[attr-defined]
    change.physical_resource_id = planned.physical_id  # type: ignore[attr-defined]
    change.replacement = planned.replacement  # type: ignore[attr-defined]
    return change


def _execute_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None) -> None:
    change_set = self.describe_change_set(change_set_name)
    if change_set is None or change_set.execution_status != "AVAILABLE":
        raise ValidationError(message=f"ChangeSet [{change_set_name}] cannot be executed in its current status")
    stack = self.stacks[change_set.stack_id]
    change_set.execution_status = "EXECUTE_IN_PROGRESS"
    for sibling in [c for c in self.change_sets.values() if c.stack_id == stack.stack_id and c is not change_set]:
        self.change_sets.pop(sibling.change_set_id, None)  # executing one change set deletes the stack's others
    if change_set.change_set_type == "CREATE":
        stack.template = change_set.template
        stack.template_dict = change_set.template_dict
        stack.parameters = change_set.parameters
        stack.resource_map = _create_resource_map(stack)
        engine.set_status(stack, "CREATE_IN_PROGRESS", "User Initiated")

        def operation() -> None:
            _create_and_export(self, stack)
            change_set.execution_status = "EXECUTE_COMPLETE" if stack.status == "CREATE_COMPLETE" else "EXECUTE_FAILED"
    else:
        _check_updatable(stack)
        params = {**stack.parameters, **(change_set.parameters or {})}
        stack.status = "UPDATE_IN_PROGRESS"

        def operation() -> None:
            update.run_update(stack, change_set.template, change_set.template_dict, params)
            change_set.execution_status = "EXECUTE_COMPLETE" if stack.status == "UPDATE_COMPLETE" else "EXECUTE_FAILED"
    engine.run_in_background(stack, operation)


def _delete_stack(self: CloudFormationBackend, name_or_stack_id: str) -> None:
    stack = next((s for s in self.stacks.values() if name_or_stack_id in (s.name, s.stack_id)), None)
    if stack is None or stack.status == "DELETE_IN_PROGRESS":
        return  # deleting a missing stack succeeds, as on AWS

    def deleted() -> None:
        self.stacks.pop(stack.stack_id, None)
        self.deleted_stacks[stack.stack_id] = stack
        for export in stack.exports:
            self.exports.pop(export.name, None)

    stack.status = "DELETE_IN_PROGRESS"
    engine.run_in_background(stack, lambda: engine.run_delete(stack, deleted))


# -- Lambda models ---------------------------------------------------------------------


def _permission_create(cls: type, /, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
                       region_name: str, **kwargs: Any) -> Permission:
    properties = dict(cloudformation_json["Properties"])
    function = lambda_backends[account_id][region_name].get_function(properties.pop("FunctionName"))
    statement_id = resource_name
    function.policy.add_statement(json.dumps({**properties, "StatementId": statement_id}))
    permission = Permission(region=region_name)  # type: ignore[abstract]
    permission.account_id = account_id  # type: ignore[attr-defined]
    permission.function_name = function.function_name  # type: ignore[attr-defined]
    permission.statement_id = statement_id  # type: ignore[attr-defined]
    return permission


def _permission_delete(self: Permission, account_id: str, region: str) -> None:
    backend = lambda_backends[account_id][region]
    try:
        function = backend.get_function(self.function_name)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - the function is already gone, and the statement with it
        return
    if any(s.get("Sid") == self.statement_id for s in function.policy.statements):  # type: ignore[attr-defined]
        function.policy.del_statement(self.statement_id)  # type: ignore[attr-defined]


def _function_update(cls: type, original_resource: LambdaFunction, new_resource_name: str,
                     cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> LambdaFunction:
    """moto passes inline ZipFile source to update_function_code as if it were a zip (a 500): package it first."""
    properties = cloudformation_json["Properties"]
    code = dict(properties["Code"])
    if "ZipFile" in code:
        code = {"ZipFile": base64.b64encode(LambdaFunction._create_zipfile_from_plaintext_code(code["ZipFile"]))}
    original_resource.update_configuration({k: v for k, v in properties.items() if k != "Code"})
    original_resource.environment_vars = (properties.get("Environment") or {}).get("Variables", {})
    original_resource.update_function_code(code)
    return original_resource


def prepare() -> None:
    """Before the patches (extensions.py applies this module after every service's models are imported):
    moto caches its model registry, so it is read afresh here, once, whatever the import order was."""
    _refresh_model_registry()


USES = ("moto.cloudformation.models.Change", "moto.cloudformation.models.Event",
        "moto.cloudformation.parsing.clean_json", "moto.cloudformation.parsing.get_model_map",
        "moto.cloudformation.parsing.generate_resource_name", "moto.cloudformation.parsing.resource_class_from_type",
        "moto.cloudformation.parsing.ResourceMap._delete_resource",
        "moto.awslambda.models.LambdaFunction._create_zipfile_from_plaintext_code")
PATCHES = (
    patches.replace(Stack, "_create_resource_map", _create_resource_map),
    patches.replace(Stack, "outputs", property(_outputs)),
    patches.replace(Stack, "exports", property(_exports)),
    patches.replace(Stack, "stack_resources", property(engine.created_resources)),
    patches.replace(Stack, "update", _stack_update),
    patches.replace(ChangeSet, "diff", _change_set_diff),
    patches.replace(CloudFormationBackend, "create_stack", _create_stack),
    patches.wrap(CloudFormationBackend, "create_change_set", _create_change_set),
    patches.replace(CloudFormationBackend, "execute_change_set", _execute_change_set),
    patches.replace(CloudFormationResponse, "list_change_sets", _list_change_sets),
    patches.wrap(CloudFormationResponse, "create_change_set", _create_change_set_response),
    patches.replace(CloudFormationBackend, "delete_stack", _delete_stack),
    patches.replace(Permission, "create_from_cloudformation_json", classmethod(_permission_create)),
    patches.replace(Permission, "delete", _permission_delete, new=True),
    patches.replace(Permission, "physical_resource_id", property(lambda self: getattr(self, "statement_id", "")),
                    new=True),
    patches.replace(LambdaFunction, "update_from_cloudformation_json", classmethod(_function_update)),
)
