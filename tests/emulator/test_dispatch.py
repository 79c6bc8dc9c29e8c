"""The sign-in path's short cuts past Flask and moto's serializer answer exactly what moto's own route does."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from claimsctl.local import dispatch
from tests.conftest import unique

INITIATE_AUTH_RESULTS = [
    {"ChallengeParameters": {}, "AuthenticationResult": {
        "AccessToken": "a.b.c", "ExpiresIn": 3600, "TokenType": "Bearer", "RefreshToken": "r", "IdToken": "i.d.t"}},
    {"ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": "s", "ChallengeParameters": {"USER_ID_FOR_SRP": "alice"}},
    {"ChallengeParameters": {}, "AuthenticationResult": {"AccessToken": "a", "ExpiresIn": True}},  # a bool is no int
    {"ChallengeParameters": {}, "NotAMember": 1},
    {"ChallengeParameters": {"k": None}},
]
GET_ITEM_RESULTS = [
    {},
    {"Item": {"userId": {"S": "u"}, "projects": {"L": [{"S": "p1"}, {"S": "p2"}]}}},
    {"Item": {"n": {"N": "1.50"}, "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1"]}, "m": {"M": {"x": {"NULL": True}}},
              "t": {"BOOL": False}}},
    {"Item": {"b": {"B": "aGVsbG8="}}},  # blobs are moto's serializer's to format
    {"Item": {"bs": {"BS": ["aGk="]}}},
    {"Item": {"u": {"S": "u"}}, "ConsumedCapacity": {"TableName": "t", "CapacityUnits": 0.5}},  # a double
]


def _moto_serializer_body(service: str, action: str, result: dict[str, Any]) -> Any:
    from moto.core.serialize import XFormedAttributePicker, get_serializer_class
    from moto.core.utils import get_service_model

    model = get_service_model(service)
    serializer = get_serializer_class(model.service_name, model.metadata["protocol"])(
        operation_model=model.operation_model(action), pretty_print=False, value_picker=XFormedAttributePicker())
    return json.loads(serializer.serialize(result)["body"])


@pytest.mark.parametrize(("service", "action", "result"),
                         [("cognito-idp", "InitiateAuth", r) for r in INITIATE_AUTH_RESULTS]
                         + [("dynamodb", "GetItem", r) for r in GET_ITEM_RESULTS])
def test_a_result_taken_as_plain_json_is_what_moto_would_serialize(service: str, action: str,
                                                                     result: dict[str, Any]) -> None:
    from moto.core.utils import get_service_model

    shape = get_service_model(service).operation_model(action).output_shape
    if dispatch.is_plain(result, shape):
        assert json.loads(json.dumps(result)) == _moto_serializer_body(service, action, result)
    else:
        assert result in (INITIATE_AUTH_RESULTS[2:] + GET_ITEM_RESULTS[3:])  # only these go to moto's serializer


def _post(endpoint: str, target: str, body: dict[str, Any], through_flask: bool) -> requests.Response:
    """One JSON-protocol call, signed as boto3 signs it (DynamoDB) or unsigned (Cognito's sign-in), on the direct
    route or, with the direct route turned off for it, on moto's Flask route."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    data = json.dumps(body).encode()
    request = AWSRequest(method="POST", url=endpoint + "/", data=data,
                         headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"})
    if target.startswith("DynamoDB_"):
        SigV4Auth(Credentials("test", "test"), "dynamodb", "us-east-1").add_auth(request)
    with pytest.MonkeyPatch.context() as patch:
        if through_flask:
            patch.setattr(dispatch, "direct", lambda environ: None)
        return requests.post(endpoint + "/", data=data, headers=dict(request.headers), timeout=30)


def _same_answer(endpoint: str, target: str, body: dict[str, Any]) -> requests.Response:
    direct = _post(endpoint, target, body, through_flask=False)
    routed = _post(endpoint, target, body, through_flask=True)
    assert direct.status_code == routed.status_code
    assert direct.json() == routed.json()
    assert _post(endpoint, target, body, through_flask=False).status_code == direct.status_code  # route restored
    for header in ("Content-Type", "x-amzn-ErrorType", "x-amz-crc32"):
        assert direct.headers.get(header) == routed.headers.get(header), header
    return direct


def test_initiate_auth_answers_the_same_on_both_routes(endpoint: str, idp: Any) -> None:
    pool = idp.create_user_pool(PoolName=unique("direct"))["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="c",
                                         ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool, Username="alice", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username="alice", Password="Direct-Passw0rd!", Permanent=True)
    target = "AWSCognitoIdentityProviderService.InitiateAuth"
    wrong = _same_answer(endpoint, target, {"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
                                            "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Wrong-Passw0rd!"}})
    assert wrong.status_code == 400 and wrong.json()["__type"] == "NotAuthorizedException"
    unknown_client = _same_answer(endpoint, target, {"ClientId": "nope", "AuthFlow": "USER_PASSWORD_AUTH",
                                                     "AuthParameters": {"USERNAME": "alice", "PASSWORD": "x"}})
    assert unknown_client.status_code == 400
    for through_flask in (False, True):
        signed_in = _post(endpoint, target, {"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {
            "USERNAME": "alice", "PASSWORD": "Direct-Passw0rd!"}}, through_flask)
        assert signed_in.status_code == 200
        assert set(signed_in.json()["AuthenticationResult"]) == {
            "AccessToken", "ExpiresIn", "TokenType", "RefreshToken", "IdToken"}
        assert signed_in.headers["Content-Type"] == "application/x-amz-json-1.1"


def test_get_item_answers_the_same_on_both_routes(endpoint: str, clients: Any) -> None:
    ddb = clients("dynamodb")
    table = unique("direct")
    ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "userId", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "userId", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName=table, Item={"userId": {"S": "u1"}, "projects": {"L": [{"S": "p1"}]},
                                        "blob": {"B": b"\x00\x01"}, "n": {"N": "2.5"}})
    target = "DynamoDB_20120810.GetItem"
    found = _same_answer(endpoint, target, {"TableName": table, "Key": {"userId": {"S": "u1"}}})
    assert found.json()["Item"]["projects"] == {"L": [{"S": "p1"}]}
    _same_answer(endpoint, target, {"TableName": table, "Key": {"userId": {"S": "u1"}},
                                    "ProjectionExpression": "projects", "ReturnConsumedCapacity": "TOTAL"})
    assert _same_answer(endpoint, target, {"TableName": table, "Key": {"userId": {"S": "nobody"}}}).json() == {}
    missing = _same_answer(endpoint, target, {"TableName": unique("missing"), "Key": {"userId": {"S": "u1"}}})
    assert missing.status_code == 400 and "ResourceNotFoundException" in missing.json()["__type"]
    assert ddb.get_item(TableName=table, Key={"userId": {"S": "u1"}})["Item"]["blob"] == {"B": b"\x00\x01"}
