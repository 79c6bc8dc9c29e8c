"""Confirmation and password recovery as Cognito answers them, for users who exist and for users who do not.

moto has no ResendConfirmationCode (a 500 for every call), ForgotPassword invents a delivery for an unknown
user whatever the app client says, and ConfirmSignUp and ConfirmForgotPassword answer a client whose user is
unknown with ResourceNotFoundException (the message being the client id).

With the app client's `PreventUserExistenceErrors` LEGACY (the API's default) an unknown user is
UserNotFoundException "Username/client id combination not found." With ENABLED, as "Managing user existence
error responses" documents
(https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html):
ForgotPassword and ResendConfirmationCode answer CodeDeliveryDetails with a simulated destination (shaped as
a real one: first character, `***@`, first character of the domain, `***`), ConfirmForgotPassword and
ConfirmSignUp answer CodeMismatchException, as a wrong code does. A confirmed user asking for a new sign-up
code is InvalidParameterException "User is already confirmed." (ResendConfirmationCode API reference).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from moto.cognitoidp.exceptions import (
    CodeMismatchException,
    InvalidParameterException,
    ResourceNotFoundError,
    UserNotFoundError,
)
from moto.cognitoidp.models import CognitoIdpUserPool, CognitoIdpUserPoolClient
from moto.cognitoidp.responses import CognitoIdpResponse

from claimsctl.local import patches
from claimsctl.local.cognito import pools, secret_hash

NOT_FOUND = "Username/client id combination not found."
WRONG_CODE = "Invalid verification code provided, please try again."


def _pool_and_client(client_id: str) -> tuple[CognitoIdpUserPool, CognitoIdpUserPoolClient]:
    pool = pools.of_client(client_id) if isinstance(client_id, str) else None
    if pool is None:
        raise ResourceNotFoundError(f"User pool client {client_id} does not exist.")
    return pool, pool.clients[client_id]


def _hides(client: CognitoIdpUserPoolClient) -> bool:
    return bool(client.extended_config.get("PreventUserExistenceErrors") == "ENABLED")


def masked_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


def simulated_delivery(username: str) -> dict[str, str]:
    """A destination for a user who does not exist, shaped as a real user's email delivery; the same every
    time for the same name (so asking twice tells nothing)."""
    if "@" in username:
        return {"Destination": masked_email(username), "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    letters = "abcdefghijklmnopqrstuvwxyz"
    domain = letters[hashlib.sha256(username.encode()).digest()[0] % len(letters)]
    return {"Destination": f"{username[:1]}***@{domain}***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}


def _delivery(user: Any) -> dict[str, str]:
    attributes = {a["Name"]: a["Value"] for a in user.attributes}
    if attributes.get("email"):
        return {"Destination": masked_email(attributes["email"]), "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    if attributes.get("phone_number"):
        number = attributes["phone_number"]
        return {"Destination": f"+*******{number[-4:]}", "DeliveryMedium": "SMS", "AttributeName": "phone_number"}
    raise InvalidParameterException("Auto verification not turned on.")


def _resend_confirmation_code(self: CognitoIdpResponse) -> str:
    pool, client = _pool_and_client(self._get_param("ClientId") or "")
    username = str(self._get_param("Username") or "")
    secret_hash.check(client.id, username, self._get_param("SecretHash"))
    user = pools.user(pool, username)
    if user is None or not user.enabled:
        if _hides(client):
            return json.dumps({"CodeDeliveryDetails": simulated_delivery(username)})
        raise UserNotFoundError(NOT_FOUND)
    if str(getattr(user.status, "value", user.status)) == "CONFIRMED":
        raise InvalidParameterException("User is already confirmed.")
    return json.dumps({"CodeDeliveryDetails": _delivery(user)})


def _for_known_users(unknown: Callable[[CognitoIdpResponse, str], Any]) -> Callable[[Callable[..., Any]], Any]:
    """Wrap a handler taking ClientId and Username: an unknown client or user is answered by `unknown` when
    the client hides existence, else UserNotFoundException; a known one goes on to moto."""

    def wrapping(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def handler(self: CognitoIdpResponse) -> Any:
            pool, client = _pool_and_client(self._get_param("ClientId") or "")
            username = str(self._get_param("Username") or "")
            if pools.user(pool, username) is None:
                if _hides(client):
                    return unknown(self, username)
                raise UserNotFoundError(NOT_FOUND)
            return original(self)

        return handler

    return wrapping


def _simulate_delivery(self: CognitoIdpResponse, username: str) -> str:
    return json.dumps({"CodeDeliveryDetails": simulated_delivery(username)})


def _wrong_code(self: CognitoIdpResponse, username: str) -> str:
    raise CodeMismatchException(WRONG_CODE)


PATCHES = (
    patches.replace(CognitoIdpResponse, "resend_confirmation_code", _resend_confirmation_code, new=True),
    patches.wrap(CognitoIdpResponse, "forgot_password", _for_known_users(_simulate_delivery)),
    patches.wrap(CognitoIdpResponse, "confirm_forgot_password", _for_known_users(_wrong_code)),
    patches.wrap(CognitoIdpResponse, "confirm_sign_up", _for_known_users(_wrong_code)),
)
