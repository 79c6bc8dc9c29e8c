"""DynamoDB row writes in the emulator, through plain boto3: a refused UpdateItem changes nothing (AWS's writes
are atomic; moto half-applied them), and the test kit's snapshot and restore put a row's every attribute back."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import unique


@pytest.fixture
def table(clients: Any) -> Any:
    ddb = clients("dynamodb")
    name = unique("rows")
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "userName", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "userName", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    yield name
    ddb.delete_table(TableName=name)


def get(clients: Any, table: str, key: str) -> dict[str, Any]:
    return clients("dynamodb").get_item(TableName=table, Key={"userName": {"S": key}},  # type: ignore[no-any-return]
                                        ConsistentRead=True).get("Item", {})


def test_a_refused_update_item_changes_nothing(clients: Any, table: str) -> None:
    ddb = clients("dynamodb")
    before = {"userName": {"S": "alice"}, "projects": {"L": [{"S": "p1"}]}, "big": {"S": "x" * 300_000}}
    ddb.put_item(TableName=table, Item=before)
    for key in ("alice", "nobody"):
        with pytest.raises(ClientError) as refused:
            ddb.update_item(TableName=table, Key={"userName": {"S": key}},
                            UpdateExpression="SET projects = :p, more = :m REMOVE big",
                            ExpressionAttributeValues={":p": {"L": []}, ":m": {"S": "y" * 450_000}})
        assert refused.value.response["Error"]["Code"] == "ValidationException"
        assert "maximum allowed size" in refused.value.response["Error"]["Message"]
    assert get(clients, table, "alice") == before
    assert get(clients, table, "nobody") == {}  # no item holding only its key is left behind


def test_restore_puts_back_every_attribute_of_a_row(endpoint: str, clients: Any, table: str) -> None:
    ddb = clients("dynamodb")
    row = {"userName": {"S": "alice"}, "projects": {"L": [{"S": "p1"}]}, "tenant": {"S": "acme"},
           "prefs": {"M": {"level": {"N": "4"}}}}
    ddb.put_item(TableName=table, Item=row)
    assert requests.post(f"{endpoint}/_claimsctl/snapshot", json={}, timeout=30).ok
    ddb.update_item(TableName=table, Key={"userName": {"S": "alice"}}, UpdateExpression="SET tenant = :t REMOVE prefs",
                    ExpressionAttributeValues={":t": {"S": "globex"}})
    ddb.put_item(TableName=table, Item={"userName": {"S": "bob"}, "projects": {"L": []}})
    assert requests.post(f"{endpoint}/_claimsctl/restore", json={}, timeout=30).ok
    assert get(clients, table, "alice") == row and get(clients, table, "bob") == {}


def test_the_kits_new_user_never_replaces_a_clients_row(endpoint: str, clients: Any, table: str) -> None:
    idp = clients("cognito-idp")
    pool = idp.create_user_pool(PoolName=unique("kit-rows"))["UserPool"]["Id"]
    app = idp.create_user_pool_client(UserPoolId=pool, ClientName="web")["UserPoolClient"]["ClientId"]
    client_row = {"userName": {"S": "botclientid"}, "principal": {"S": "client"}, "projects": {"L": [{"S": "p1"}]}}
    clients("dynamodb").put_item(TableName=table, Item=client_row)
    answer = requests.post(f"{endpoint}/_claimsctl/users", timeout=30, json={
        "pool_id": pool, "client_id": app, "username": "botclientid", "table": table,
        "row": {"userName": {"S": "botclientid"}, "projects": {"L": [{"S": "p9"}]}}})
    assert answer.status_code == 400 and "machine client botclientid's row" in answer.json()["message"]
    assert get(clients, table, "botclientid") == client_row
    assert idp.list_users(UserPoolId=pool)["Users"] == []  # nothing made
