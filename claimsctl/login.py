"""Sign in against the deployed stack and verify what came back: the CLI's counterpart of the web demo."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from claimsctl import signin
from claimsctl.aws import Aws
from claimsctl.outputs import StackOutputs
from claimsctl_runtime import tokens


@dataclass(frozen=True)
class LoginResult:
    tokens: signin.Tokens
    id_claims: dict[str, Any]
    access_claims: dict[str, Any]


def verifier(aws: Aws, outputs: StackOutputs, token_use: str | None = None) -> tokens.CognitoVerifier:
    return tokens.CognitoVerifier(
        user_pool_id=outputs.user_pool_id, region=outputs.region,
        client_ids=(outputs.client_id,), token_use=token_use, endpoint_url=aws.endpoint_url,
    )


def login(aws: Aws, outputs: StackOutputs, username: str, password: str,
          second: signin.SecondFactor | None = None, password_auth: bool = True,
          client_secret: str | None = None) -> LoginResult:
    """Sign in (answering MFA through `second`) and verify both tokens; raises SignInError or a TokenError.
    Without `password_auth` (the app client has no ALLOW_USER_PASSWORD_AUTH), the sign-in is SRP; with
    `client_secret` (an app client that has one), every call carries its SECRET_HASH."""
    srp_pool = None if password_auth else outputs.user_pool_id
    issued = signin.sign_in(aws.client("cognito-idp"), outputs.client_id, username, password, second, srp_pool,
                            client_secret)
    check = verifier(aws, outputs)
    return LoginResult(issued, check.verify(issued.id_token), check.verify(issued.access_token))


def api_token(outputs: StackOutputs, issued: signin.Tokens) -> str:
    """The token the deployed API takes: the access token when the trigger puts the claim there (V2_0),
    else the ID token."""
    return issued.access_token if outputs.api_expects == "access" else issued.id_token


def access_token_note(outputs: StackOutputs) -> str:
    """What to say when the access token has no claim: a V1_0 trigger changes the ID token only."""
    from claimsctl import versions

    trigger = versions.VERSIONS.get(outputs.trigger_version)
    if trigger and not trigger.changes_access_token:
        return f"a {trigger.name} trigger changes the ID token only; use triggerVersion V2_0 for access tokens"
    return "absent from this token"


@dataclass(frozen=True)
class MachineToken:
    access_token: str
    claims: dict[str, Any]


def _oauth_refusal(error: Any) -> str:
    import json

    try:
        body = json.loads(error.read().decode() or "{}")
    except ValueError:
        body = {}
    code = str(body.get("error", f"HTTP {error.code}"))
    hint = {"invalid_client": "the client id or secret is wrong", "invalid_scope": "a scope is not allowed",
            "unauthorized_client": "the client may not use the client-credentials grant"}.get(code, "")
    return f"{code}: {body.get('error_description', '')}" + (f" ({hint})" if hint else "")


def fetch_machine_token(outputs: StackOutputs, client_id: str, secret: str) -> str:
    """A client-credentials access token from the stack's token endpoint (the secret in a Basic header);
    SignInError with the endpoint's reason when it refuses."""
    import base64
    import json
    import urllib.error
    import urllib.request

    from claimsctl import apiclient
    from claimsctl.errors import SignInError

    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    request = urllib.request.Request(outputs.token_url, method="POST", data=b"grant_type=client_credentials",  # noqa: S310
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    request.add_unredirected_header("Authorization", f"Basic {basic}")
    try:  # a redirect is never followed: the Basic credentials go to the stack's token endpoint only
        with apiclient.open_unredirected(request, timeout=30) as response:
            return str(json.loads(response.read())["access_token"])
    except urllib.error.HTTPError as error:
        location = apiclient.redirected(error)
        if location is not None:
            raise SignInError(f"The token endpoint {outputs.token_url} answered HTTP {error.code}, a redirect to "
                              f"{location or 'nowhere'}; claimsctl never sends a client's secret on to another URL. "
                              "Check the stack's TokenUrl output (claimsctl status).") from None
        raise SignInError(f"The token endpoint refused client {client_id}: {_oauth_refusal(error)}") from None
    except urllib.error.URLError as error:
        raise SignInError(f"Cannot reach the token endpoint {outputs.token_url}: {error.reason}") from error


def machine_token(aws: Aws, outputs: StackOutputs, client_id: str, secret: str) -> MachineToken:
    """A fresh client-credentials token, verified against the pool's JWKS as an access token of this client."""
    token = fetch_machine_token(outputs, client_id, secret)
    check = tokens.CognitoVerifier(user_pool_id=outputs.user_pool_id, region=outputs.region, client_ids=(client_id,),
                                   token_use="access", endpoint_url=aws.endpoint_url)  # noqa: S106 - a token kind
    return MachineToken(token, check.verify(token))
