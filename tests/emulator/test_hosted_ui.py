"""The emulator's hosted UI over HTTP: authorize, the login form, code + PKCE, implicit, token, userInfo, logout."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import requests

from claimsctl.local.hosted_ui import oauth
from tests.conftest import unique
from tests.emulator.helpers import PASSWORD, Pool, make_function, make_pool, make_user

CALLBACK = "http://localhost:8081/"
SOURCE = """
def handler(event, context):
    if event["userName"] == "broken":
        raise Exception("projects table unavailable")
    event["response"] = {"claimsOverrideDetails": {"claimsToAddOrOverride": {"source": event["triggerSource"]}}}
    return event
"""


class HostedPool:
    def __init__(self, endpoint: str, pool: Pool, domain: str) -> None:
        self.endpoint = endpoint
        self.pool = pool
        self.base = f"{endpoint}/hosted-ui/{domain}"


@pytest.fixture
def hosted(clients: Any, endpoint: str) -> HostedPool:
    idp, lam = clients("cognito-idp"), clients("lambda")
    pool = make_pool(idp, lam, make_function(lam, SOURCE))
    idp.update_user_pool_client(
        UserPoolId=pool.pool_id, ClientId=pool.client_id, ClientName="demo-web",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code", "implicit"],
        AllowedOAuthScopes=["openid", "email", "profile"], CallbackURLs=[CALLBACK], LogoutURLs=[CALLBACK],
        SupportedIdentityProviders=["COGNITO"])
    domain = unique("hosted")
    idp.create_user_pool_domain(UserPoolId=pool.pool_id, Domain=domain)
    make_user(idp, pool, "alice")
    make_user(idp, pool, "broken")
    return HostedPool(endpoint, pool, domain)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_params(hosted: HostedPool, challenge: str | None, response_type: str = "code", **extra: str) -> dict[str, str]:
    params = {"response_type": response_type, "client_id": hosted.pool.client_id, "redirect_uri": CALLBACK,
              "scope": "openid email", "state": "st-123", "nonce": "n-456", **extra}
    if challenge:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    return params


def sign_in(hosted: HostedPool, params: dict[str, str], username: str = "alice", password: str = PASSWORD) -> requests.Response:
    session = requests.Session()
    first = session.get(f"{hosted.base}/oauth2/authorize", params=params, allow_redirects=False, timeout=10)
    assert first.status_code == 302, first.text
    form = session.get(first.headers["Location"], timeout=10)
    assert form.status_code == 200 and "Sign in" in form.text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.text))
    action = re.search(r'<form method="post" action="([^"]+)"', form.text)
    assert action is not None
    return session.post(action.group(1), data={**hidden, "username": username, "password": password},
                        allow_redirects=False, timeout=10)


def code_from(response: requests.Response) -> str:
    assert response.status_code == 302, response.text
    query = parse_qs(urlparse(response.headers["Location"]).query)
    assert query["state"] == ["st-123"]
    return query["code"][0]


def exchange(hosted: HostedPool, code: str, verifier: str, **overrides: str) -> requests.Response:
    data = {"grant_type": "authorization_code", "client_id": hosted.pool.client_id, "code": code,
            "redirect_uri": CALLBACK, "code_verifier": verifier, **overrides}
    return requests.post(f"{hosted.base}/oauth2/token", data=data, timeout=10)


def test_discovery_names_the_endpoints(hosted: HostedPool) -> None:
    document = requests.get(f"{hosted.endpoint}/{hosted.pool.pool_id}/.well-known/openid-configuration", timeout=10).json()
    assert document["issuer"] == f"https://cognito-idp.us-east-1.amazonaws.com/{hosted.pool.pool_id}"
    assert document["authorization_endpoint"] == f"{hosted.base}/oauth2/authorize"
    assert document["token_endpoint"] == f"{hosted.base}/oauth2/token"
    assert document["userinfo_endpoint"] == f"{hosted.base}/oauth2/userInfo"
    assert requests.get(document["jwks_uri"], timeout=10).json()["keys"]


def test_code_flow_with_pkce_runs_the_trigger_as_hosted_auth(hosted: HostedPool) -> None:
    verifier, challenge = pkce()
    code = code_from(sign_in(hosted, authorize_params(hosted, challenge)))
    response = exchange(hosted, code, verifier)
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert set(tokens) == {"access_token", "id_token", "refresh_token", "token_type", "expires_in"}
    id_claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert id_claims["source"] == "TokenGeneration_HostedAuth"
    assert id_claims["nonce"] == "n-456"
    access_claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert access_claims["scope"] == "openid email"

    reused = exchange(hosted, code, verifier)
    assert (reused.status_code, reused.json()["error"]) == (400, "invalid_grant")

    info = requests.get(f"{hosted.base}/oauth2/userInfo", headers={"Authorization": f"Bearer {tokens['access_token']}"},
                        timeout=10)
    assert info.json()["username"] == "alice" and info.json()["email"] == "alice@example.com"

    refreshed = requests.post(f"{hosted.base}/oauth2/token", timeout=10, data={
        "grant_type": "refresh_token", "client_id": hosted.pool.client_id, "refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200
    assert jwt.decode(refreshed.json()["id_token"], options={"verify_signature": False})["source"] == (
        "TokenGeneration_RefreshTokens")


def test_pkce_mismatch_expired_code_and_bad_client(hosted: HostedPool) -> None:
    verifier, challenge = pkce()
    wrong = exchange(hosted, code_from(sign_in(hosted, authorize_params(hosted, challenge))), "not-the-verifier")
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")

    code = code_from(sign_in(hosted, authorize_params(hosted, challenge)))
    oauth._CODES.get()[code].created -= oauth.CODE_LIFETIME_SECONDS + 1
    assert exchange(hosted, code, verifier).json()["error"] == "invalid_grant"

    code = code_from(sign_in(hosted, authorize_params(hosted, challenge)))
    assert exchange(hosted, code, verifier, client_id="nope").json()["error"] == "invalid_client"
    unsupported = requests.post(f"{hosted.base}/oauth2/token", data={"grant_type": "password"}, timeout=10)
    assert unsupported.json()["error"] == "unsupported_grant_type"


def test_unregistered_redirect_and_unknown_client_get_an_error_page(hosted: HostedPool) -> None:
    _, challenge = pkce()
    params = authorize_params(hosted, challenge, redirect_uri="https://evil.example.com/")
    page = requests.get(f"{hosted.base}/oauth2/authorize", params=params, allow_redirects=False, timeout=10)
    assert page.status_code == 400 and "redirect_mismatch" in page.text
    params = authorize_params(hosted, challenge, client_id="unknown")
    assert requests.get(f"{hosted.base}/oauth2/authorize", params=params, allow_redirects=False, timeout=10).status_code == 400


def test_errors_the_client_can_handle_are_redirected(hosted: HostedPool) -> None:
    no_method = requests.get(f"{hosted.base}/oauth2/authorize", allow_redirects=False, timeout=10,
                             params={**authorize_params(hosted, None), "code_challenge": pkce()[1]})
    assert no_method.status_code == 302
    query = parse_qs(urlparse(no_method.headers["Location"]).query)
    assert query["error"] == ["invalid_request"] and query["state"] == ["st-123"]
    bad_scope = requests.get(f"{hosted.base}/oauth2/authorize", allow_redirects=False, timeout=10,
                             params=authorize_params(hosted, pkce()[1], scope="openid admin"))
    assert parse_qs(urlparse(bad_scope.headers["Location"]).query)["error"] == ["invalid_scope"]


def test_implicit_flow_puts_tokens_in_the_fragment(hosted: HostedPool) -> None:
    response = sign_in(hosted, authorize_params(hosted, None, response_type="token"))
    assert response.status_code == 302
    location = urlparse(response.headers["Location"])
    fragment = parse_qs(location.fragment)
    assert location.query == ""
    assert fragment["token_type"] == ["Bearer"] and fragment["expires_in"] == ["3600"] and fragment["state"] == ["st-123"]
    assert jwt.decode(fragment["id_token"][0], options={"verify_signature": False})["cognito:username"] == "alice"


def test_login_page_messages(hosted: HostedPool) -> None:
    _, challenge = pkce()
    wrong = sign_in(hosted, authorize_params(hosted, challenge), password="wrong-password")
    assert wrong.status_code == 400 and "Incorrect username or password." in wrong.text
    unknown = sign_in(hosted, authorize_params(hosted, challenge), username="nobody")
    assert "Incorrect username or password." in unknown.text
    failing = sign_in(hosted, authorize_params(hosted, challenge), username="broken")
    assert failing.status_code == 302  # a trigger error goes to the app, as Cognito sends it
    assert "PreTokenGeneration failed with error projects table unavailable." in parse_qs(
        urlparse(failing.headers["Location"]).query)["error_description"][0]


def test_logout_redirects_only_to_registered_uris(hosted: HostedPool) -> None:
    ok = requests.get(f"{hosted.base}/logout", params={"client_id": hosted.pool.client_id, "logout_uri": CALLBACK},
                      allow_redirects=False, timeout=10)
    assert (ok.status_code, ok.headers["Location"]) == (302, CALLBACK)
    bad = requests.get(f"{hosted.base}/logout", params={"client_id": hosted.pool.client_id,
                                                         "logout_uri": "https://evil.example.com/"}, timeout=10)
    assert bad.status_code == 400


def test_token_endpoint_allows_browser_origins(hosted: HostedPool) -> None:
    preflight = requests.options(f"{hosted.base}/oauth2/token", headers={"Origin": "http://localhost:8081"}, timeout=10)
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://localhost:8081"
