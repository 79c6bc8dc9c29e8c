"""Static checks and dependency order of a CloudFormation template, as CloudFormation does them before it acts."""

from __future__ import annotations

import re
from typing import Any

from moto.cloudformation.exceptions import ValidationError

PSEUDO_PARAMETERS = frozenset({
    "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition",
    "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
})
_SUB_VARIABLE = re.compile(r"\$\{(?!!)([^}]+)\}")


def template_error(message: str) -> ValidationError:
    return ValidationError(message=f"Template format error: {message}")


def _sub_references(value: Any) -> set[str]:
    if isinstance(value, list):
        text, variables = value[0], value[1] if len(value) > 1 else {}
        local = set(variables or {})
        return {name for name in _sub_names(text) if name not in local} | references(variables)
    return _sub_names(value) if isinstance(value, str) else set()


def _sub_names(text: str) -> set[str]:
    return {match.split(".")[0] for match in _SUB_VARIABLE.findall(text)}


def references(node: Any) -> set[str]:
    """Every name a node refers to through Ref, Fn::GetAtt or Fn::Sub."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                target = value.split(".")[0] if isinstance(value, str) else value[0]
                found.add(target)
            elif key == "Fn::Sub":
                found |= _sub_references(value)
            else:
                found |= references(value)
    elif isinstance(node, list):
        for item in node:
            found |= references(item)
    return found


def _depends_on(resource: dict[str, Any]) -> set[str]:
    depends = resource.get("DependsOn", [])
    return {depends} if isinstance(depends, str) else set(depends)


def dependencies(template: dict[str, Any]) -> dict[str, set[str]]:
    """Logical id -> the resources it needs created first."""
    resources = template.get("Resources") or {}
    graph: dict[str, set[str]] = {}
    for logical_id, resource in resources.items():
        needs = references(resource.get("Properties", {})) | _depends_on(resource)
        graph[logical_id] = {name for name in needs if name in resources}
    return graph


def creation_order(template: dict[str, Any]) -> list[str]:
    """Resources in an order where each comes after what it needs (template order breaks ties)."""
    graph = dependencies(template)
    order: list[str] = []
    placed: set[str] = set()
    while len(order) < len(graph):
        ready = [lid for lid, needs in graph.items() if lid not in placed and needs <= placed]
        if not ready:
            cycle = sorted(lid for lid in graph if lid not in placed)
            raise template_error(f"Circular dependency between resources: {cycle}")
        order.extend(ready)
        placed.update(ready)
    return order


def validate(template: dict[str, Any], supported_types: set[str]) -> None:
    """Raise ValidationError for what CloudFormation rejects before creating anything."""
    resources = template.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise template_error("At least one Resources member must be defined.")
    unknown_types = sorted({r.get("Type", "") for r in resources.values()} - supported_types)
    if unknown_types:
        raise template_error(f"Unrecognized resource types: {unknown_types}")
    known = set(resources) | set(template.get("Parameters") or {}) | PSEUDO_PARAMETERS
    for block in ("Resources", "Outputs"):
        unresolved = sorted(references(template.get(block) or {}) - known)
        if unresolved:
            raise template_error(f"Unresolved resource dependencies {unresolved} in the {block} block of the template")
    for logical_id, resource in resources.items():
        missing = sorted(_depends_on(resource) - set(resources))
        if missing:
            raise template_error(f"Unresolved resource dependencies {missing} in the DependsOn of resource {logical_id}")
    creation_order(template)
