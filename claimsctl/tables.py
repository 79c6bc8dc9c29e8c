"""The stack's data tables: which ones a change set would replace or remove, and how many rows they hold.

No deploy replaces or removes a table that holds rows unless the operator
says `--allow-data-loss`; the templates' Retain policies are the second guard
(CloudFormation then leaves the old table behind instead of deleting it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from claimsctl.aws import AwsCallError
from claimsctl.errors import DataLossRefused

TABLE_TYPE = "AWS::DynamoDB::Table"


@dataclass(frozen=True)
class Table:
    logical_id: str
    name: str
    rows: int

    def describe(self) -> str:
        return f"{self.name} ({self.logical_id}, {self.rows} row{'s' if self.rows != 1 else ''})"


def count_rows(ddb: Any, table: str) -> int:
    """Exact row count (a COUNT scan: DescribeTable's ItemCount can be hours old)."""
    total = 0
    try:
        for page in ddb.get_paginator("scan").paginate(TableName=table, Select="COUNT"):
            total += int(page.get("Count", 0))
    except AwsCallError as exc:
        if exc.not_found:
            return 0
        raise
    return total


def in_stack(cfn: Any, ddb: Any, stack_name: str) -> list[Table]:
    """The stack's tables with their row counts (empty when the stack does not exist)."""
    try:
        resources = cfn.describe_stack_resources(StackName=stack_name)["StackResources"]
    except AwsCallError:
        return []
    return [Table(r["LogicalResourceId"], r["PhysicalResourceId"], count_rows(ddb, r["PhysicalResourceId"]))
            for r in resources if r["ResourceType"] == TABLE_TYPE and r.get("PhysicalResourceId")]


def _destructive(change: Any) -> bool:
    return change.resource_type == TABLE_TYPE and (
        change.action == "Remove" or (change.action == "Modify" and change.replacement in ("True", "Conditional")))


def at_risk(changes: list[Any], tables: list[Table]) -> list[Table]:
    """Tables holding rows that the change set would replace or remove."""
    by_id = {table.logical_id: table for table in tables}
    return [by_id[c.logical_id] for c in changes
            if _destructive(c) and c.logical_id in by_id and by_id[c.logical_id].rows > 0]


def refuse_data_loss(changes: list[Any], tables: list[Table]) -> None:
    """Raise DataLossRefused naming each table the changes would empty."""
    risky = at_risk(changes, tables)
    if risky:
        listing = "\n".join(f"  - {table.describe()}" for table in risky)
        raise DataLossRefused(
            "This deploy would replace or remove table(s) that hold data:\n" + listing +
            "\nNothing was changed. Undo the change that causes it (for example a renamed table or \"api\": "
            "\"none\"), or run deploy again with --allow-data-loss if losing these rows is intended.")


def delete(ddb: Any, tables: list[Table]) -> list[str]:
    """Delete the tables (the stack retained them); return the names deleted."""
    deleted = []
    for table in tables:
        try:
            ddb.delete_table(TableName=table.name)
            ddb.get_waiter("table_not_exists").wait(TableName=table.name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
        except AwsCallError as exc:
            if not exc.not_found:
                raise
        deleted.append(table.name)
    return deleted
