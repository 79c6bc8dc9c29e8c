"""Signs a user in with the app client (USER_PASSWORD_AUTH) and returns the tokens Cognito issued."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from claimsctl.aws import error_details
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


def sign_in(idp: Any, client_id: str, username: str, password: str) -> Tokens:
    from botocore.exceptions import ClientError

    try:
        result = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": username, "PASSWORD": password})
    except ClientError as exc:
        raise _sign_in_error(exc, username) from exc
    if "AuthenticationResult" not in result:
        challenge = result.get("ChallengeName", "an unknown challenge")
        raise SignInError(f"{username} must answer {challenge} first; set a permanent password with "
                          f"`claimsctl add-user --username {username} --password-stdin`.")
    return _tokens(result)


def _sign_in_error(exc: Exception, who: str) -> SignInError:
    code, message = error_details(exc)
    if code in ("NotAuthorizedException", "UserNotFoundException"):
        return SignInError(f"Sign-in failed for {who}: incorrect user name or password.")
    if code in ("UserLambdaValidationException", "InvalidLambdaResponseException", "UnexpectedLambdaException"):
        return SignInError(f"Sign-in failed for {who}: the pre token generation trigger failed ({message}).")
    if code == "ResourceNotFoundException":
        return SignInError(f"Sign-in failed: the app client does not exist ({message}); run `claimsctl deploy`.")
    return SignInError(f"Sign-in failed for {who}: {message}")
