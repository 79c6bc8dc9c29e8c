"""Machine callers end to end (issue "Machine callers"): with triggerVersion V3_0, `add-client` makes a
confidential client and its row; a standard OAuth 2.0 library (authlib) gets a client-credentials token with
the secret in a Basic header and in the body; the token carries the client's projects, and both designs
answer by them. People in the same stack keep their claim. Bad input leaves nothing half made."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session

from tests.conftest import Cli, Deployer, Project
from tests.e2e.test_real_clients import needs_node, node

PASSWORD = "Machine-Passw0rd!x"
DESIGNS = ("", "/standard")


@pytest.fixture
def stack(cli: Cli, deployed: Deployer, project: Project) -> dict[str, Any]:
    outputs = deployed(triggerVersion="V3_0", api="both")
    added = cli("add-user", "--username", "alice", "--email", "alice@example.com", "--projects", "p2:editor",
                "--password-stdin", "--seed-items", "1", input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    made = cli("add-client", "reporting-bot", "--projects", "p1", "--secret-out", str(project.root / "bot.json"))
    assert made.exit_code == 0, made.output
    return {"outputs": outputs, "secret_file": project.root / "bot.json", "output": made.output}


def credentials(stack: dict[str, Any]) -> dict[str, str]:
    return json.loads(stack["secret_file"].read_text())  # type: ignore[no-any-return]


def authlib_token(found: dict[str, str], method: str) -> str:
    with OAuth2Session(found["client_id"], found["client_secret"], token_endpoint_auth_method=method,
                       scope=found["scope"]) as session:
        return str(session.fetch_token(found["token_url"], grant_type="client_credentials")["access_token"])


def call(outputs: dict[str, str], token: str, method: str, path: str, body: Any = None) -> int:
    answer = requests.request(method, outputs["ApiUrl"] + path, headers={"Authorization": token}, json=body, timeout=30)
    return answer.status_code


def test_the_secret_file_is_private_complete_and_the_secret_never_printed(stack: dict[str, Any]) -> None:
    found = credentials(stack)
    assert set(found) == {"client_id", "client_secret", "token_url", "scope"}
    assert stat.S_IMODE(stack["secret_file"].stat().st_mode) == 0o600
    assert found["client_secret"] not in stack["output"] and found["client_id"] in stack["output"]
    assert found["token_url"].endswith("/oauth2/token")
    assert not list(stack["secret_file"].parent.glob(".*claimsctl-partial"))


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_a_standard_oauth_library_gets_a_token_with_the_clients_projects(stack: dict[str, Any], method: str) -> None:
    claims = jwt.decode(authlib_token(credentials(stack), method), options={"verify_signature": False})
    assert claims["projects"] == ["p1"] and claims["token_use"] == "access" and "username" not in claims
    assert claims["client_id"] == claims["sub"] == credentials(stack)["client_id"]


@pytest.mark.parametrize("design", DESIGNS)
def test_both_designs_answer_by_the_clients_projects(stack: dict[str, Any], design: str) -> None:
    token = authlib_token(credentials(stack), "client_secret_basic")
    outputs = stack["outputs"]
    assert call(outputs, token, "GET", design + "/projects/p1/items") == 200
    assert call(outputs, token, "GET", design + "/projects/p2/items") == 403
    assert call(outputs, token, "POST", design + "/projects/p1/items", {"title": "x"}) == 403  # a viewer


def test_people_in_the_same_stack_keep_their_claim(stack: dict[str, Any], clients: Any) -> None:
    result = clients("cognito-idp").initiate_auth(
        ClientId=stack["outputs"]["UserPoolClientId"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})["AuthenticationResult"]
    for kind in ("IdToken", "AccessToken"):
        assert jwt.decode(result[kind], options={"verify_signature": False})["projects"] == ["p2:editor"]
    assert call(stack["outputs"], result["AccessToken"], "POST", "/projects/p2/items", {"title": "x"}) == 201


def test_a_client_without_the_apis_scope_and_another_pools_token_get_401(stack: dict[str, Any], clients: Any) -> None:
    idp = clients("cognito-idp")
    pool_id = stack["outputs"]["UserPoolId"]
    idp.create_resource_server(UserPoolId=pool_id, Identifier="other-api", Name="other",
                               Scopes=[{"ScopeName": "read", "ScopeDescription": "read"}])
    outsider = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="outsider", GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["other-api/read"])["UserPoolClient"]
    found = {**credentials(stack), "client_id": outsider["ClientId"], "client_secret": outsider["ClientSecret"],
             "scope": "other-api/read"}
    token = authlib_token(found, "client_secret_basic")
    for design in DESIGNS:
        assert call(stack["outputs"], token, "GET", design + "/projects/p1/items") == 401, design
    forged = jwt.encode({**jwt.decode(authlib_token(credentials(stack), "client_secret_basic"),
                                      options={"verify_signature": False})}, "k" * 32, algorithm="HS256")
    for design in DESIGNS:
        assert call(stack["outputs"], forged, "GET", design + "/projects/p1/items") == 401, design


def test_a_read_only_client_may_not_write_whatever_its_role(cli: Cli, stack: dict[str, Any], project: Project) -> None:
    made = cli("add-client", "ci-reader", "--projects", "p1:owner", "--scopes", "items.read",
               "--secret-out", str(project.root / "ci.json"))
    assert made.exit_code == 0, made.output
    token = authlib_token(json.loads((project.root / "ci.json").read_text()), "client_secret_basic")
    for design in DESIGNS:
        assert call(stack["outputs"], token, "GET", design + "/projects/p1/items") == 200
    assert call(stack["outputs"], token, "POST", "/projects/p1/items", {"title": "x"}) == 403  # the policy's
    assert call(stack["outputs"], token, "POST", "/standard/projects/p1/items", {"title": "x"}) == 401  # Cognito's


def test_token_explain_request_update_list_and_remove(cli: Cli, stack: dict[str, Any], clients: Any) -> None:
    file = str(stack["secret_file"])
    table, client_id = stack["outputs"]["UsersTableName"], credentials(stack)["client_id"]
    clients("dynamodb").update_item(TableName=table, Key={"userName": {"S": client_id}},  # the app's own attribute
                                    UpdateExpression="SET tenant = :t", ExpressionAttributeValues={":t": {"S": "acme"}})
    shown = cli("token", "--client", "reporting-bot", "--secret-file", file, "--output", "json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["access_token"]["projects"] == ["p1"]
    assert credentials(stack)["client_secret"] not in shown.output
    explained = cli("explain", "--client", "reporting-bot", "--request", "GET /projects/p1/items", "--output", "json")
    assert explained.exit_code == 0 and json.loads(explained.stdout)["decision"] == "allow", explained.output
    updated = cli("add-client", "reporting-bot", "--projects", "p1,p3:editor")
    assert updated.exit_code == 0 and "updated" in updated.output
    row = clients("dynamodb").get_item(TableName=table, Key={"userName": {"S": client_id}}, ConsistentRead=True)["Item"]
    assert row["tenant"] == {"S": "acme"} and row["projects"] == {"L": [{"S": "p1"}, {"S": "p3:editor"}]}
    assert row["principal"] == {"S": "client"} and row["clientName"] == {"S": "reporting-bot"}
    created = cli("request", "POST", "/projects/p3/items", "--client", "reporting-bot", "--secret-file", file,
                  "--data", '{"title": "from a machine"}')
    assert created.exit_code == 0, created.output
    listed = json.loads(cli("list-clients", "--output", "json").stdout)
    assert [(c["name"], c["projects"]) for c in listed] == [("reporting-bot", ["p1", "p3:editor"])]
    assert "reporting-bot" not in cli("list-users", "--output", "json").stdout
    removed = cli("remove-client", "reporting-bot")
    assert removed.exit_code == 0, removed.output
    assert json.loads(cli("list-clients", "--output", "json").stdout) == []
    gone = cli("token", "--client", "reporting-bot", "--secret-file", file)
    assert gone.exit_code == 1 and "No machine client named reporting-bot" in gone.output


def _nothing_more(cli: Cli) -> list[Any]:
    return json.loads(cli("list-clients", "--output", "json").stdout)  # type: ignore[no-any-return]


def test_bad_input_is_refused_clearly_and_leaves_nothing(cli: Cli, stack: dict[str, Any], project: Project,
                                                         clients: Any) -> None:
    before = _nothing_more(cli)
    pool_clients = clients("cognito-idp").list_user_pool_clients(UserPoolId=stack["outputs"]["UserPoolId"])
    web_name = next(c["ClientName"] for c in pool_clients["UserPoolClients"]
                    if c["ClientId"] == stack["outputs"]["UserPoolClientId"])
    fresh = str(project.root / "new.json")
    cases = [
        (("add-client", web_name, "--projects", "p1", "--secret-out", fresh), "is taken by app client"),
        (("add-client", "bot2", "--projects", "p1", "--secret-out", str(stack["secret_file"])), "pass --force"),
        (("add-client", "bot2", "--projects", "p1", "--secret-out", str(project.inputs_path), "--force"),
         "one of the project's own files"),
        (("add-client", "bot2", "--projects", "p1", "--scopes", "items.delete", "--secret-out", fresh),
         "Scope 'items.delete' is not one of the API's"),
        (("add-client", "bot2", "--projects", "p1"), "needs --secret-out FILE"),
        (("add-client", "bot 2", "--projects", "p1", "--secret-out", fresh), "is not valid"),
        (("add-client", "bot2", "--projects", "p1:admin", "--secret-out", fresh), "role 'admin'"),
    ]
    for args, message in cases:
        refused = cli(*args)
        assert refused.exit_code == 1 and message in " ".join(refused.output.split()), (args, refused.output)
        assert not Path(fresh).exists() and not list(project.root.glob(".*claimsctl-partial"))
    assert _nothing_more(cli) == before
    assert json.loads(project.inputs_path.read_text())["triggerVersion"] == "V3_0"  # the inputs file untouched
    stale = project.root / ".new.json.claimsctl-partial"  # an add-client that died half way: its secret is kept
    stale.write_text('{"client_secret": "kept"}')
    refused = cli("add-client", "bot2", "--projects", "p1", "--secret-out", fresh)
    assert refused.exit_code == 1 and "did not finish" in " ".join(refused.output.split()), refused.output
    assert stale.read_text() == '{"client_secret": "kept"}' and _nothing_more(cli) == before
    stale.unlink()
    wrong = project.root / "wrong.json"
    wrong.write_text(json.dumps({**credentials(stack), "client_secret": "0" * 64}))
    refused = cli("token", "--client", "reporting-bot", "--secret-file", str(wrong))
    assert refused.exit_code == 1 and "invalid_client" in refused.output and "0" * 64 not in refused.output


def test_a_stack_without_v3_refuses_machine_clients(cli: Cli, deployed: Deployer, project: Project) -> None:
    deployed(triggerVersion="V2_0", api="both")
    refused = cli("add-client", "bot", "--projects", "p1", "--secret-out", str(project.root / "bot.json"))
    assert refused.exit_code == 1 and "need triggerVersion V3_0" in " ".join(refused.output.split())
    assert not (project.root / "bot.json").exists()


@needs_node
def test_aws_jwt_verify_accepts_the_machine_token_for_its_client_only(stack: dict[str, Any], endpoint: str) -> None:
    found = credentials(stack)
    outputs = stack["outputs"]
    seen = node("verify-machine.mjs", {
        "userPoolId": outputs["UserPoolId"], "clientId": found["client_id"], "otherClientId": outputs["UserPoolClientId"],
        "scope": found["scope"].split()[0], "jwksUri": f"{endpoint}/{outputs['UserPoolId']}/.well-known/jwks.json",
        "accessToken": authlib_token(found, "client_secret_basic")})
    assert seen["own"]["client_id"] == found["client_id"] and seen["own"]["projects"] == ["p1"]
    assert "error" in seen["otherClient"] and "error" in seen["otherScope"]


def test_a_user_named_like_a_client_id_never_gets_its_row(cli: Cli, stack: dict[str, Any], clients: Any) -> None:
    client_id = credentials(stack)["client_id"]  # 26 lower-case letters and digits: a valid user name too
    refused = cli("add-user", "--username", client_id, "--email", "twin@example.com", "--projects", "p9",
                  "--password-stdin", input=PASSWORD + "\n")
    assert refused.exit_code == 1 and "holds machine client" in " ".join(refused.output.split()), refused.output
    assert client_id not in json.dumps(json.loads(cli("list-users", "--output", "json").stdout))  # nothing half made
    idp = clients("cognito-idp")  # made behind claimsctl's back: the trigger still gives it none of the client's
    idp.admin_create_user(UserPoolId=stack["outputs"]["UserPoolId"], Username=client_id, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=stack["outputs"]["UserPoolId"], Username=client_id, Password=PASSWORD,
                                Permanent=True)
    result = idp.initiate_auth(ClientId=stack["outputs"]["UserPoolClientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": client_id, "PASSWORD": PASSWORD})["AuthenticationResult"]
    assert jwt.decode(result["AccessToken"], options={"verify_signature": False})["projects"] == []


@pytest.mark.parametrize("design", DESIGNS)
def test_an_oauth_library_calls_both_designs_with_a_bearer_header(stack: dict[str, Any], design: str) -> None:
    """authlib sends `Authorization: Bearer <token>` (RFC 6750); API Gateway's Cognito user pool authorizer
    (the standard design) takes the token with or without the prefix, as AWS's Cognito workshop calls it."""
    found = credentials(stack)
    with OAuth2Session(found["client_id"], found["client_secret"], scope=found["scope"]) as session:
        session.fetch_token(found["token_url"], grant_type="client_credentials")
        answer = session.get(stack["outputs"]["ApiUrl"] + design + "/projects/p1/items", timeout=30)
        assert answer.request.headers["Authorization"].startswith("Bearer ")
        assert answer.status_code == 200, answer.text
        assert session.get(stack["outputs"]["ApiUrl"] + design + "/projects/p2/items", timeout=30).status_code == 403
