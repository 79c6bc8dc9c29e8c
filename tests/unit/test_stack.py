"""claimsctl's stack logic against CloudFormation's answers, stubbed with botocore's Stubber (no emulator, no moto):
a stack waiting in REVIEW_IN_PROGRESS, one left in ROLLBACK_COMPLETE, "no changes", and a busy stack."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from claimsctl import stack
from claimsctl.errors import StackError
from tests.unit.conftest import Stubbed

NAME = "demo"
STACK_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/demo/abc"
CHANGE_SET = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/claimsctl-1/def"
NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
NO_WAIT = stack.Waiter(poll_seconds=0, timeout_seconds=5, sleep=lambda _: None)


@pytest.fixture
def cfn(stubbed: Callable[[str], Stubbed]) -> Stubbed:
    return stubbed("cloudformation")


def described(status: str, outputs: dict[str, str] | None = None) -> dict[str, Any]:
    return {"Stacks": [{"StackName": NAME, "StackId": STACK_ID, "StackStatus": status, "CreationTime": NOW,
                        "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in (outputs or {}).items()]}]}


def event(number: int, logical_id: str, status: str) -> dict[str, Any]:
    return {"StackId": STACK_ID, "EventId": f"e{number}", "StackName": NAME, "LogicalResourceId": logical_id,
            "ResourceType": "AWS::CloudFormation::Stack" if logical_id == NAME else "AWS::SNS::Topic",
            "ResourceStatus": status, "Timestamp": NOW}


def change_set_created(stubber: Stubber, kind: str, status: str = "CREATE_COMPLETE", reason: str = "") -> None:
    stubber.add_response("create_change_set", {"Id": CHANGE_SET, "StackId": STACK_ID},
                         {"StackName": NAME, "ChangeSetName": ANY, "TemplateBody": "{}", "ChangeSetType": kind,
                          "Capabilities": ANY, "Tags": ANY, "Parameters": ANY})
    stubber.add_response("describe_change_set", {"ChangeSetName": "cs", "StackId": STACK_ID, "Status": "CREATE_PENDING",
                                                 "ExecutionStatus": "UNAVAILABLE", "Changes": []})
    answer = {"ChangeSetName": "cs", "StackId": STACK_ID, "Status": status, "StatusReason": reason,
              "ExecutionStatus": "AVAILABLE" if status == "CREATE_COMPLETE" else "UNAVAILABLE",
              "Changes": [{"Type": "Resource", "ResourceChange": {"Action": "Add", "LogicalResourceId": "Topic",
                                                                  "ResourceType": "AWS::SNS::Topic"}}]}
    stubber.add_response("describe_change_set", answer)


def executed(stubber: Stubber, final: str, first_event: int = 1) -> None:
    stubber.add_response("describe_stack_events", {"StackEvents": []})
    stubber.add_response("execute_change_set", {}, {"ChangeSetName": CHANGE_SET})
    stubber.add_response("describe_stack_events", {"StackEvents": [event(first_event, "Topic", "CREATE_COMPLETE")]})
    stubber.add_response("describe_stacks", described(final))
    stubber.add_response("describe_stack_events", {"StackEvents": [event(first_event + 1, NAME, final),
                                                                   event(first_event, "Topic", "CREATE_COMPLETE")]})


def deploy(client: Any) -> stack.DeployResult:
    return stack.deploy(client, NAME, "{}", {}, lambda changes: True, lambda e: None, NO_WAIT)


def test_a_stack_in_review_is_created_through_a_create_change_set(cfn: tuple[Any, Stubber]) -> None:
    client, stubber = cfn
    stubber.add_response("describe_stacks", described("REVIEW_IN_PROGRESS"))
    change_set_created(stubber, "CREATE")
    executed(stubber, "CREATE_COMPLETE")
    stubber.add_response("describe_stacks", described("CREATE_COMPLETE", {"UserPoolId": "p"}))
    result = deploy(client)
    assert result.status == "created" and result.outputs == {"UserPoolId": "p"} and not result.recreated


def test_a_stack_left_in_rollback_complete_is_deleted_and_created_again(cfn: tuple[Any, Stubber]) -> None:
    client, stubber = cfn
    stubber.add_response("describe_stacks", described("ROLLBACK_COMPLETE"))
    stubber.add_response("describe_stacks", described("ROLLBACK_COMPLETE"))  # delete() looks it up
    stubber.add_response("describe_stack_events", {"StackEvents": []})
    stubber.add_response("delete_stack", {}, {"StackName": STACK_ID})
    stubber.add_response("describe_stack_events", {"StackEvents": [event(1, NAME, "DELETE_COMPLETE")]})
    stubber.add_response("describe_stacks", described("DELETE_COMPLETE"))
    stubber.add_response("describe_stack_events", {"StackEvents": [event(1, NAME, "DELETE_COMPLETE")]})
    change_set_created(stubber, "CREATE")
    executed(stubber, "CREATE_COMPLETE", first_event=2)
    stubber.add_response("describe_stacks", described("CREATE_COMPLETE"))
    assert deploy(client).recreated


def test_no_changes_is_up_to_date_and_leaves_no_change_set(cfn: tuple[Any, Stubber]) -> None:
    client, stubber = cfn
    stubber.add_response("describe_stacks", described("UPDATE_COMPLETE"))
    change_set_created(stubber, "UPDATE", "FAILED", "The submitted information didn't contain changes. Submit "
                                                   "different information to create a change set.")
    stubber.add_response("delete_change_set", {}, {"ChangeSetName": CHANGE_SET})
    stubber.add_response("describe_stacks", described("UPDATE_COMPLETE", {"UserPoolId": "p"}))
    assert deploy(client).status == "up-to-date"


def test_a_busy_stack_is_waited_for_before_the_change_set(cfn: tuple[Any, Stubber]) -> None:
    client, stubber = cfn
    stubber.add_response("describe_stacks", described("UPDATE_IN_PROGRESS"))
    stubber.add_response("describe_stack_events", {"StackEvents": []})  # the events already there
    stubber.add_response("describe_stack_events", {"StackEvents": [event(1, NAME, "UPDATE_IN_PROGRESS")]})
    stubber.add_response("describe_stacks", described("UPDATE_IN_PROGRESS"))
    stubber.add_response("describe_stack_events", {"StackEvents": [event(2, NAME, "UPDATE_COMPLETE"),
                                                                   event(1, NAME, "UPDATE_IN_PROGRESS")]})
    stubber.add_response("describe_stacks", described("UPDATE_COMPLETE"))
    stubber.add_response("describe_stack_events", {"StackEvents": [event(2, NAME, "UPDATE_COMPLETE")]})
    stubber.add_response("describe_stacks", described("UPDATE_COMPLETE"))
    change_set_created(stubber, "UPDATE")
    executed(stubber, "UPDATE_COMPLETE", first_event=3)
    stubber.add_response("describe_stacks", described("UPDATE_COMPLETE"))
    assert deploy(client).status == "updated"


def test_a_stack_that_cannot_roll_back_is_a_clear_error(cfn: tuple[Any, Stubber]) -> None:
    client, stubber = cfn
    stubber.add_response("describe_stacks", described("UPDATE_ROLLBACK_FAILED"))
    with pytest.raises(StackError, match="UPDATE_ROLLBACK_FAILED; fix the resources"):
        deploy(client)
