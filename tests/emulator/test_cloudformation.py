"""CloudFormation on the emulator: Cognito resources, events, updates, rollbacks, deletes, template errors."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import unique

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def pool_template(**pool_properties: Any) -> dict[str, Any]:
    return {
        "Resources": {
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
                "BillingMode": "PAY_PER_REQUEST", "TableName": unique("tbl"),
                "AttributeDefinitions": [{"AttributeName": "userName", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "userName", "KeyType": "HASH"}]}},
            "Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {
                "UserPoolName": "pool", "AutoVerifiedAttributes": ["email"],
                "Policies": {"PasswordPolicy": {"MinimumLength": 10}}, **pool_properties}},
            "Client": {"Type": "AWS::Cognito::UserPoolClient", "Properties": {
                "UserPoolId": {"Ref": "Pool"}, "CallbackURLs": ["http://localhost:8081/"],
                "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid"],
                "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}},
            "Domain": {"Type": "AWS::Cognito::UserPoolDomain", "Properties": {
                "UserPoolId": {"Ref": "Pool"}, "Domain": unique("dom")}},
            "Admins": {"Type": "AWS::Cognito::UserPoolGroup", "Properties": {
                "UserPoolId": {"Ref": "Pool"}, "GroupName": "admins", "Precedence": 1}},
        },
        "Outputs": {
            "PoolId": {"Value": {"Ref": "Pool"}},
            "PoolArn": {"Value": {"Fn::GetAtt": ["Pool", "Arn"]}},
            "ProviderName": {"Value": {"Fn::GetAtt": ["Pool", "ProviderName"]}},
            "ProviderURL": {"Value": {"Fn::GetAtt": ["Pool", "ProviderURL"]}},
            "ClientId": {"Value": {"Ref": "Client"}},
            "Domain": {"Value": {"Ref": "Domain"}},
            "Group": {"Value": {"Ref": "Admins"}},
            "TableName": {"Value": {"Ref": "Table"}},
        },
    }


def wait(cfn: Any, name: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        if not stack["StackStatus"].endswith("_IN_PROGRESS"):
            return stack  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError(f"{name} still in progress")


def events(cfn: Any, name: str) -> list[tuple[str, str, str]]:
    raw = reversed(cfn.describe_stack_events(StackName=name)["StackEvents"])
    return [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason") or "") for e in raw]


def outputs(stack: dict[str, Any]) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


@pytest.fixture
def cfn(clients: Any) -> Any:
    return clients("cloudformation")


def test_cognito_resources_with_refs_and_getatts(cfn: Any, clients: Any) -> None:
    name = unique("cog")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(pool_template()))
    stack = wait(cfn, name)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    out = outputs(stack)
    pool_id = out["PoolId"]
    assert pool_id.startswith("us-east-1_")
    assert out["PoolArn"] == f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool_id}"
    assert out["ProviderName"] == f"cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    assert out["ProviderURL"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    assert out["Group"] == "admins"
    idp = clients("cognito-idp")
    client = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=out["ClientId"])["UserPoolClient"]
    assert client["CallbackURLs"] == ["http://localhost:8081/"]
    assert idp.describe_user_pool_domain(Domain=out["Domain"])["DomainDescription"]["UserPoolId"] == pool_id
    assert idp.get_group(UserPoolId=pool_id, GroupName="admins")["Group"]["Precedence"] == 1
    statuses = [(lid, status) for lid, status, _ in events(cfn, name)]
    for logical_id in ("Table", "Pool", "Client", "Domain", "Admins"):
        assert statuses.index((logical_id, "CREATE_IN_PROGRESS")) < statuses.index((logical_id, "CREATE_COMPLETE"))
    assert statuses.index(("Pool", "CREATE_COMPLETE")) < statuses.index(("Client", "CREATE_IN_PROGRESS"))
    assert statuses[-1] == (name, "CREATE_COMPLETE")
    resources = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                 for r in cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]}
    assert resources["Pool"] == pool_id


def test_update_changes_properties_and_delete_removes_everything(cfn: Any, clients: Any) -> None:
    name = unique("upd")
    template = pool_template()
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    out = outputs(wait(cfn, name))
    template["Resources"]["Client"]["Properties"]["CallbackURLs"] = ["https://app.example.com/cb"]
    template["Resources"]["Pool"]["Properties"]["Policies"]["PasswordPolicy"]["MinimumLength"] = 14
    change_set = cfn.create_change_set(StackName=name, ChangeSetName="cs1", TemplateBody=json.dumps(template),
                                       ChangeSetType="UPDATE")
    cfn.get_waiter("change_set_create_complete").wait(ChangeSetName=change_set["Id"],
                                                      WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    described = cfn.describe_change_set(ChangeSetName=change_set["Id"])
    changed = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in described["Changes"]}
    assert set(changed) == {"Client", "Pool"}
    assert changed["Client"]["Action"] == "Modify" and changed["Client"]["Replacement"] == "False"
    cfn.execute_change_set(ChangeSetName=change_set["Id"])
    assert wait(cfn, name)["StackStatus"] == "UPDATE_COMPLETE"
    idp = clients("cognito-idp")
    client = idp.describe_user_pool_client(UserPoolId=out["PoolId"], ClientId=out["ClientId"])["UserPoolClient"]
    assert client["CallbackURLs"] == ["https://app.example.com/cb"]
    policy = idp.describe_user_pool(UserPoolId=out["PoolId"])["UserPool"]["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 14

    stack_id = cfn.describe_stacks(StackName=name)["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName=name)
    assert wait(cfn, stack_id)["StackStatus"] == "DELETE_COMPLETE"
    assert out["PoolId"] not in [p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]]
    assert out["TableName"] not in clients("dynamodb").list_tables()["TableNames"]
    with pytest.raises(ClientError, match="does not exist"):
        cfn.describe_stacks(StackName=name)


def test_failed_create_rolls_back_with_reason(cfn: Any, clients: Any) -> None:
    name = unique("fail")
    template = pool_template()
    template["Resources"]["Client"]["Properties"]["NotAClientProperty"] = True
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    stack = wait(cfn, name)
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert "Outputs" not in stack
    seen = events(cfn, name)
    failed = [e for e in seen if e[1] == "CREATE_FAILED"]
    assert failed == [("Client", "CREATE_FAILED", "Properties validation failed for resource Client with message: "
                                                  "#: extraneous key [NotAClientProperty] is not permitted")]
    assert ("Pool", "DELETE_COMPLETE", "") in seen and ("Table", "DELETE_COMPLETE", "") in seen
    table_name = template["Resources"]["Table"]["Properties"]["TableName"]
    assert table_name not in clients("dynamodb").list_tables()["TableNames"]
    assert cfn.list_stack_resources(StackName=name)["StackResourceSummaries"] == []
    with pytest.raises(ClientError, match="ROLLBACK_COMPLETE state and can not be updated"):
        cfn.update_stack(StackName=name, TemplateBody=json.dumps(pool_template()))


def test_failed_update_rolls_back_to_the_previous_state(cfn: Any, clients: Any) -> None:
    name = unique("urb")
    template = pool_template()
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    out = outputs(wait(cfn, name))
    template["Resources"]["Client"]["Properties"]["CallbackURLs"] = ["https://changed.example.com/"]
    template["Resources"]["Broken"] = {"Type": "AWS::Cognito::UserPoolGroup", "DependsOn": "Client",
                                       "Properties": {"UserPoolId": {"Ref": "Pool"}, "GroupName": "admins"}}
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(template))
    stack = wait(cfn, name)
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    reasons = [reason for lid, status, reason in events(cfn, name) if status == "CREATE_FAILED"]
    assert reasons and "already exists" in reasons[0]
    client = clients("cognito-idp").describe_user_pool_client(UserPoolId=out["PoolId"], ClientId=out["ClientId"])
    assert client["UserPoolClient"]["CallbackURLs"] == ["http://localhost:8081/"]
    assert outputs(stack) == out
    cfn.delete_stack(StackName=name)


def test_template_errors_are_rejected_before_anything_is_created(cfn: Any) -> None:
    broken_ref = pool_template()
    broken_ref["Resources"]["Client"]["Properties"]["UserPoolId"] = {"Ref": "NoSuchPool"}
    with pytest.raises(ClientError, match=r"Unresolved resource dependencies \['NoSuchPool'\]"):
        cfn.create_stack(StackName=unique("ref"), TemplateBody=json.dumps(broken_ref))
    unknown_type = {"Resources": {"X": {"Type": "AWS::Made::Up", "Properties": {}}}}
    with pytest.raises(ClientError, match=r"Unrecognized resource types: \['AWS::Made::Up'\]"):
        cfn.create_stack(StackName=unique("typ"), TemplateBody=json.dumps(unknown_type))
    cycle = {"Resources": {
        "A": {"Type": "AWS::Cognito::UserPoolGroup", "DependsOn": "B", "Properties": {"UserPoolId": "x", "GroupName": "a"}},
        "B": {"Type": "AWS::Cognito::UserPoolGroup", "DependsOn": "A", "Properties": {"UserPoolId": "x", "GroupName": "b"}}}}
    with pytest.raises(ClientError, match="Circular dependency"):
        cfn.create_stack(StackName=unique("cyc"), TemplateBody=json.dumps(cycle))


def test_inline_zipfile_code_update_runs_the_new_code(cfn: Any, clients: Any) -> None:
    name = unique("zip")

    def template(answer: str) -> str:
        code = f"def handler(event, context):\n    return {{'answer': '{answer}'}}\n"
        return json.dumps({"Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": TRUST}},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
                "FunctionName": name, "Runtime": "python3.12", "Handler": "index.handler",
                "Role": {"Fn::GetAtt": ["Role", "Arn"]}, "Code": {"ZipFile": code}}}}})

    cfn.create_stack(StackName=name, TemplateBody=template("first"))
    assert wait(cfn, name)["StackStatus"] == "CREATE_COMPLETE"
    lam = clients("lambda")
    assert json.loads(lam.invoke(FunctionName=name)["Payload"].read()) == {"answer": "first"}
    cfn.update_stack(StackName=name, TemplateBody=template("second"))
    assert wait(cfn, name)["StackStatus"] == "UPDATE_COMPLETE"
    assert json.loads(lam.invoke(FunctionName=name)["Payload"].read()) == {"answer": "second"}
    cfn.delete_stack(StackName=name)


def test_unknown_stack_and_pool_get_aws_errors_and_the_server_keeps_serving(cfn: Any, clients: Any) -> None:
    with pytest.raises(ClientError, match="does not exist"):
        cfn.describe_stacks(StackName="never-created")
    idp = clients("cognito-idp")
    with pytest.raises(ClientError) as error:
        idp.describe_user_pool(UserPoolId="us-east-1_doesnotexist")
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert isinstance(cfn.list_stacks()["StackSummaries"], list)
