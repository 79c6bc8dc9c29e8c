"""The client-credentials grant and trigger V3_0 over HTTP, as Cognito's token endpoint, resource-server and
pre token generation pages describe them: client authentication, scopes, errors, the machine token's claims,
and the TokenGeneration_ClientCredentials event."""

from __future__ import annotations

import json
from typing import Any

import jwt
import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import unique
from tests.emulator.helpers import Pool, make_function, make_pool, make_user, sign_in

API = "items-api"
READ, WRITE = f"{API}/items.read", f"{API}/items.write"
# The trigger echoes what it was given into the access token, and tries what Cognito must refuse.
SOURCE = """
import json
def handler(event, context):
    if (event["request"].get("clientMetadata") or {}).get("fail") == "yes":
        raise Exception("no projects for you")
    add = {"source": event["triggerSource"], "event_version": event["version"],
           "caller": event["callerContext"]["clientId"], "user": str(event.get("userName")),
           "seen": json.dumps(sorted(event["request"].keys())), "token_use": "id", "client_id": "forged"}
    event["response"] = {"claimsAndScopeOverrideDetails": {
        "idTokenGeneration": {"claimsToAddOrOverride": {"in_id": "yes"}},
        "accessTokenGeneration": {"claimsToAddOrOverride": add, "scopesToAdd": ["extra/scope"]}}}
    return event
"""


class Machine:
    def __init__(self, pool: Pool, client_id: str, secret: str, token_url: str) -> None:
        self.pool, self.client_id, self.secret, self.token_url = pool, client_id, secret, token_url

    def token(self, data: dict[str, str] | None = None, basic: bool = True, **body: str) -> requests.Response:
        form = {"grant_type": "client_credentials", **(data or {}), **body}
        auth = (self.client_id, self.secret) if basic else None
        return requests.post(self.token_url, data=form, auth=auth, timeout=15)


def _machine(idp: Any, lam: Any, endpoint: str, version: str = "V3_0", scopes: tuple[str, ...] = (READ, WRITE)) -> Machine:
    pool = make_pool(idp, lam, make_function(lam, SOURCE), version=version)
    idp.create_resource_server(UserPoolId=pool.pool_id, Identifier=API, Name="items",
                               Scopes=[{"ScopeName": "items.read", "ScopeDescription": "read"},
                                       {"ScopeName": "items.write", "ScopeDescription": "write"}])
    client = idp.create_user_pool_client(
        UserPoolId=pool.pool_id, ClientName="reporting-bot", GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=list(scopes))["UserPoolClient"]
    domain = unique("m2m")
    idp.create_user_pool_domain(UserPoolId=pool.pool_id, Domain=domain)
    return Machine(pool, client["ClientId"], client["ClientSecret"], f"{endpoint}/hosted-ui/{domain}/oauth2/token")


@pytest.fixture
def machine(idp: Any, lam: Any, endpoint: str) -> Machine:
    return _machine(idp, lam, endpoint)


def claims_of(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "token_type"}  # no ID token, no refresh token
    assert body["token_type"] == "Bearer"
    return jwt.decode(body["access_token"], options={"verify_signature": False})  # type: ignore[no-any-return]


def test_basic_header_and_body_both_authenticate(machine: Machine) -> None:
    by_header = claims_of(machine.token())
    by_body = claims_of(machine.token(basic=False, client_id=machine.client_id, client_secret=machine.secret))
    for claims in (by_header, by_body):
        assert claims["client_id"] == claims["sub"] == machine.client_id
        assert claims["token_use"] == "access" and "username" not in claims and "cognito:username" not in claims
        assert claims["iss"].endswith(f"/{machine.pool.pool_id}") and claims["version"] == 2


def test_the_v3_trigger_changes_the_access_token_within_cognitos_rules(machine: Machine) -> None:
    claims = claims_of(machine.token({"scope": READ, "aws_client_metadata": json.dumps({"job": "nightly"})}))
    assert claims["source"] == "TokenGeneration_ClientCredentials" and claims["event_version"] == "3"
    assert claims["caller"] == machine.client_id and claims["user"] == "None"
    assert json.loads(claims["seen"]) == ["clientMetadata", "scopes"]
    assert claims["token_use"] == "access" and claims["client_id"] == machine.client_id  # reserved: unchanged
    assert "in_id" not in claims
    assert claims["scope"].split() == [READ, "extra/scope"]


def test_no_scope_parameter_grants_every_allowed_custom_scope(machine: Machine) -> None:
    assert set(claims_of(machine.token())["scope"].split()) >= {READ, WRITE}


def test_a_failing_trigger_fails_the_grant(machine: Machine) -> None:
    response = machine.token({"aws_client_metadata": json.dumps({"fail": "yes"})})
    assert response.status_code == 400
    assert "no projects for you" in response.json()["error_description"]


@pytest.mark.parametrize("version", ["V1_0", "V2_0"])
def test_earlier_trigger_versions_do_not_run_for_machines(idp: Any, lam: Any, endpoint: str, version: str) -> None:
    claims = claims_of(_machine(idp, lam, endpoint, version=version).token())
    assert "source" not in claims


def test_users_of_a_v3_pool_get_the_v2_event(idp: Any, machine: Machine) -> None:
    make_user(idp, machine.pool, "alice")
    access = jwt.decode(sign_in(idp, machine.pool)["AccessToken"], options={"verify_signature": False})
    assert access["source"] == "TokenGeneration_Authentication" and access["event_version"] == "3"
    assert access["user"] == "alice" and access["username"] == "alice"


@pytest.mark.parametrize(("change", "error"), [
    ({"secret": "wrong"}, "invalid_client"),
    ({"client_id": "nosuchclient"}, "invalid_client"),
    ({"scope": "items-api/items.delete"}, "invalid_scope"),
    ({"scope": "openid"}, "invalid_scope"),
    ({"aws_client_metadata": "[1]"}, "invalid_request"),
])
def test_errors_are_the_token_endpoints(machine: Machine, change: dict[str, str], error: str) -> None:
    if "secret" in change:
        machine.secret = change.pop("secret")
    if "client_id" in change:
        machine.client_id = change.pop("client_id")
    response = machine.token(change)
    assert response.status_code == 400 and response.json()["error"] == error, response.text


def test_credentials_in_both_places_are_refused(machine: Machine) -> None:
    response = machine.token(client_secret=machine.secret)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_a_client_without_the_grant_is_unauthorized(idp: Any, machine: Machine) -> None:
    other = idp.create_user_pool_client(UserPoolId=machine.pool.pool_id, ClientName="web", GenerateSecret=True,
                                        AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"],
                                        AllowedOAuthScopes=["openid"], CallbackURLs=["https://example.com/"])
    machine.client_id, machine.secret = other["UserPoolClient"]["ClientId"], other["UserPoolClient"]["ClientSecret"]
    response = machine.token()
    assert response.status_code == 400 and response.json()["error"] == "unauthorized_client"


def test_app_client_settings_cognito_refuses(idp: Any, machine: Machine) -> None:
    base = {"UserPoolId": machine.pool.pool_id, "ClientName": "bad", "AllowedOAuthFlowsUserPoolClient": True}
    cases = [
        ({"AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": [READ]}, "InvalidOAuthFlowException"),
        ({"GenerateSecret": True, "AllowedOAuthFlows": ["client_credentials", "code"], "AllowedOAuthScopes": [READ],
          "CallbackURLs": ["https://example.com/"]}, "InvalidOAuthFlowException"),
        ({"GenerateSecret": True, "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": ["nope/read"]},
         "ScopeDoesNotExistException"),
    ]
    for settings, code in cases:
        with pytest.raises(ClientError) as caught:
            idp.create_user_pool_client(**base, **settings)
        assert caught.value.response["Error"]["Code"] == code


def test_resource_servers_update_and_delete(idp: Any, machine: Machine) -> None:
    idp.update_resource_server(UserPoolId=machine.pool.pool_id, Identifier=API, Name="items",
                               Scopes=[{"ScopeName": "items.read", "ScopeDescription": "read"}])
    scopes = idp.describe_resource_server(UserPoolId=machine.pool.pool_id, Identifier=API)["ResourceServer"]["Scopes"]
    assert [s["ScopeName"] for s in scopes] == ["items.read"]
    assert claims_of(machine.token())["scope"].split()[0] == READ  # the removed scope is no longer granted
    idp.delete_resource_server(UserPoolId=machine.pool.pool_id, Identifier=API)
    assert machine.token().json()["error"] == "invalid_scope"


def test_a_client_secret_chosen_by_the_caller(idp: Any, machine: Machine) -> None:
    """CreateUserPoolClient's ClientSecret: the secret can exist (in a file) before the client does."""
    chosen = "a" * 20 + "_b+C" * 5
    created = idp.create_user_pool_client(
        UserPoolId=machine.pool.pool_id, ClientName="chosen", ClientSecret=chosen,
        AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=[READ])
    assert created["UserPoolClient"]["ClientSecret"] == chosen
    machine.client_id, machine.secret = created["UserPoolClient"]["ClientId"], chosen
    assert claims_of(machine.token())["client_id"] == machine.client_id
    for bad in ({"ClientSecret": "x" * 30 + "-!"}, {"ClientSecret": chosen, "GenerateSecret": True}):
        with pytest.raises(ClientError) as refused:
            idp.create_user_pool_client(UserPoolId=machine.pool.pool_id, ClientName="bad", **bad)
        assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
