"""Signs a user in with the app client and returns the tokens Cognito issued, answering a TOTP challenge
(SOFTWARE_TOKEN_MFA) or enrolling a software token (MFA_SETUP) on the way.

USER_PASSWORD_AUTH when the app client allows it (the demo's stack); otherwise USER_SRP_AUTH, where the
password never leaves this machine (pycognito's SRP client computes the proof). For an app client with a secret,
every call carries SECRET_HASH (Base64(HMAC_SHA256(secret, username + client id)), Cognito's "Computing secret
hash values")."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from claimsctl.aws import AwsCallError
from claimsctl.errors import SignInError


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str
    refresh_token: str | None
    expires_in: int

    def __repr__(self) -> str:  # tokens are secrets: never show them by accident
        return f"Tokens(expires_in={self.expires_in})"


def _tokens(result: dict[str, Any]) -> Tokens:
    auth = result["AuthenticationResult"]
    return Tokens(auth["IdToken"], auth["AccessToken"], auth.get("RefreshToken"), int(auth.get("ExpiresIn", 3600)))


@dataclass(frozen=True)
class SecondFactor:
    """How the CLI gets a TOTP code (`code`), and shows an enrolment's otpauth URI (`enrol`)."""

    code: Callable[[], str]
    enrol: Callable[[str], None]
    issuer: str = "claimsctl"


MAX_CHALLENGES = 3  # MFA_SETUP, then at most a retry: never an open-ended loop


def secret_hash(client_id: str, client_secret: str, username: str) -> str:
    """The SECRET_HASH Cognito asks of an app client with a secret, for this user name."""
    digest = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _hashed(parameters: dict[str, str], client_id: str, client_secret: str | None, username: str) -> dict[str, str]:
    return {**parameters, "SECRET_HASH": secret_hash(client_id, client_secret, username)} if client_secret else parameters


def sign_in(idp: Any, client_id: str, username: str, password: str, second: SecondFactor | None = None,
            srp_pool_id: str | None = None, client_secret: str | None = None) -> Tokens:
    """Sign in; with `srp_pool_id` (the pool's id), by SRP instead of USER_PASSWORD_AUTH; with `client_secret`
    (an app client that has one), every call carries its SECRET_HASH."""
    try:
        if srp_pool_id is None:
            result = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=_hashed(
                {"USERNAME": username, "PASSWORD": password}, client_id, client_secret, username))
        else:
            result = _srp(idp, client_id, srp_pool_id, username, password, client_secret)
        for _ in range(MAX_CHALLENGES):
            if "AuthenticationResult" in result:
                return _tokens(result)
            result = _answer(idp, client_id, username, result, second, client_secret)
    except AwsCallError as exc:
        raise _sign_in_error(exc, username) from exc
    raise SignInError(f"Sign-in failed for {username}: too many challenges.")


def _srp(idp: Any, client_id: str, pool_id: str, username: str, password: str, client_secret: str | None) -> Any:
    """USER_SRP_AUTH and its PASSWORD_VERIFIER answer: what follows (tokens or the next challenge)."""
    from pycognito.aws_srp import AWSSRP

    srp = AWSSRP(username=username, password=password, pool_id=pool_id, client_id=client_id, client=idp,
                 client_secret=client_secret)
    parameters = srp.get_auth_params()
    started = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=parameters)
    if started.get("ChallengeName") != "PASSWORD_VERIFIER":
        return started
    answer = srp.process_challenge(started["ChallengeParameters"], parameters)
    return idp.respond_to_auth_challenge(ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
                                         ChallengeResponses=answer, **_session(started))


def _session(result: dict[str, Any]) -> dict[str, str]:
    return {"Session": result["Session"]} if result.get("Session") else {}


def _answer(idp: Any, client_id: str, username: str, result: dict[str, Any], second: SecondFactor | None,
            client_secret: str | None = None) -> Any:
    challenge = result.get("ChallengeName", "an unknown challenge")
    if challenge in ("SOFTWARE_TOKEN_MFA", "MFA_SETUP") and second is not None:
        if challenge == "MFA_SETUP":
            return _enrol(idp, client_id, username, result["Session"], second, client_secret)
        return idp.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName=challenge, Session=result["Session"], ChallengeResponses=_hashed(
                {"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": second.code()}, client_id, client_secret, username))
    if challenge in ("SOFTWARE_TOKEN_MFA", "MFA_SETUP"):
        raise SignInError(f"{username} must answer {challenge}: run `claimsctl login {username}` in a terminal, "
                          "or pass the code with --totp-code-stdin.")
    raise SignInError(f"{username} must answer {challenge} first; set a permanent password with "
                      f"`claimsctl add-user --username {username} --password-stdin`.")


def otpauth_uri(secret: str, username: str, issuer: str) -> str:
    """The key URI authenticator apps scan (Google Authenticator's Key Uri Format)."""
    return (f"otpauth://totp/{quote(issuer)}:{quote(username)}?secret={secret}&issuer={quote(issuer)}"
            "&algorithm=SHA1&digits=6&period=30")


def _enrol(idp: Any, client_id: str, username: str, session: str, second: SecondFactor,
           client_secret: str | None = None) -> Any:
    """MFA_SETUP: associate a software token, show it, verify the first code, then answer the challenge."""
    associated = idp.associate_software_token(Session=session)
    second.enrol(otpauth_uri(associated["SecretCode"], username, second.issuer))
    verified = idp.verify_software_token(Session=associated.get("Session", session), UserCode=second.code(),
                                         FriendlyDeviceName="claimsctl")
    return idp.respond_to_auth_challenge(ClientId=client_id, ChallengeName="MFA_SETUP",
                                         Session=verified["Session"],
                                         ChallengeResponses=_hashed({"USERNAME": username}, client_id, client_secret,
                                                                    username))


def _sign_in_error(exc: AwsCallError, who: str) -> SignInError:
    code, message = exc.code, exc.message
    if code in ("CodeMismatchException", "ExpiredCodeException"):
        return SignInError(f"Sign-in failed for {who}: the authenticator code is wrong or was already used; "
                           "wait for the next code and try again.")
    if code == "NotAuthorizedException" and "secret" in message.lower():
        return SignInError(f"Sign-in failed for {who}: the app client has a secret and {message}; "
                           "pass the client's secret.")
    if code in ("NotAuthorizedException", "UserNotFoundException"):
        return SignInError(f"Sign-in failed for {who}: incorrect user name or password.")
    if code in ("UserLambdaValidationException", "InvalidLambdaResponseException", "UnexpectedLambdaException"):
        return SignInError(f"Sign-in failed for {who}: the pre token generation trigger failed ({message}); "
                           "its logs: claimsctl logs trigger --since 10m")
    if code == "ResourceNotFoundException":
        return SignInError(f"Sign-in failed: the app client does not exist ({message}); run `claimsctl deploy`.")
    return SignInError(f"Sign-in failed for {who}: {message}")
