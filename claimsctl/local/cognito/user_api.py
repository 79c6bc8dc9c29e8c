"""The user APIs that take an AccessToken act only for a user's token holding `aws.cognito.signin.user.admin`.

Every such API reference (GetUser, UpdateUserAttributes, DeleteUser, ChangePassword, GlobalSignOut, ...) says:
"Authorize this action with a signed-in user's access token. It must include the scope
aws.cognito.signin.user.admin." Without it Cognito answers NotAuthorizedException "Access Token does not have
required scopes" (the text users report from the service). moto checked nothing: a hosted-UI token with only
`openid email` read and changed its user, and a client-credentials token (no `username`) acted on a user
named "None". Here the token must be live (this pool's, unexpired, not revoked), hold the scope and name a
user, before moto's handler runs. DeleteUser, DeleteUserAttributes, GetUserAttributeVerificationCode,
VerifyUserAttribute and ListDevices, which moto lacks, are added (ListDevices answers no devices: device
tracking is not emulated; VerifyUserAttribute marks the attribute verified whatever the code, as moto's
confirmations do).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import botocore.session
from moto.cognitoidp.exceptions import InvalidParameterException, NotAuthorizedError, UserNotFoundError
from moto.cognitoidp.models import CognitoIdpUser, CognitoIdpUserPool
from moto.cognitoidp.responses import CognitoIdpResponse

from claimsctl.local import patches
from claimsctl.local.cognito import pools, recovery, token_state

USER_SCOPE = "aws.cognito.signin.user.admin"
NO_SCOPE = "Access Token does not have required scopes"


def _issuer_pool(access_token: str) -> CognitoIdpUserPool | None:
    issuer = str(token_state.unverified_claims(access_token).get("iss", ""))
    return pools.by_id(issuer.rsplit("/", 1)[-1]) if issuer.startswith("https://cognito-idp.") else None


def token_user(access_token: object) -> tuple[CognitoIdpUserPool, CognitoIdpUser]:
    """The pool and user a live user access token with the user-admin scope acts for; NotAuthorizedException
    (or UserNotFoundException) with Cognito's reason otherwise."""
    pool = _issuer_pool(access_token) if isinstance(access_token, str) else None
    if pool is None or not isinstance(access_token, str):
        raise NotAuthorizedError("Invalid Access Token")
    claims, problem = token_state.inspect_token(pool, access_token, "access")
    if claims is None:
        raise NotAuthorizedError(problem)
    if USER_SCOPE not in str(claims.get("scope", "")).split():
        raise NotAuthorizedError(NO_SCOPE)
    username = claims.get("username")
    if not isinstance(username, str) or not username:
        raise NotAuthorizedError("Invalid Access Token")
    user = pools.user(pool, username)
    if user is None:
        raise UserNotFoundError("User does not exist.")
    if not user.enabled:
        raise NotAuthorizedError("User is disabled.")
    return pool, user


def _requiring_user_scope(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def handler(self: CognitoIdpResponse) -> Any:
        token = self._get_param("AccessToken")
        if token is not None or self._get_param("Session") is None:  # AssociateSoftwareToken may take a Session
            token_user(token)
        return original(self)

    return handler


def _delete_user(self: CognitoIdpResponse) -> str:
    pool, user = token_user(self._get_param("AccessToken"))
    pool.sign_out(user.username)
    for group in list(user.groups):
        group.users.discard(user)
    del pool.users[user.username]
    return "{}"


def _delete_user_attributes(self: CognitoIdpResponse) -> str:
    _, user = token_user(self._get_param("AccessToken"))
    user.delete_attributes(self._get_param("UserAttributeNames") or [])
    return "{}"


VERIFIABLE = {"email": ("EMAIL", "email_verified"), "phone_number": ("SMS", "phone_number_verified")}


def _verifiable(user: CognitoIdpUser, name: object) -> tuple[str, str, str]:
    """(delivery medium, the attribute's value, its *_verified flag) for an email or phone number the user has."""
    found = VERIFIABLE.get(str(name))
    value = {a["Name"]: a["Value"] for a in user.attributes}.get(str(name))
    if found is None or not value:
        raise InvalidParameterException(f"Attribute {name} cannot be verified: the user has no email or phone "
                                        "number of that name.")
    return found[0], str(value), found[1]


def _get_user_attribute_verification_code(self: CognitoIdpResponse) -> str:
    _, user = token_user(self._get_param("AccessToken"))
    name = self._get_param("AttributeName")
    medium, value, _ = _verifiable(user, name)
    destination = recovery.masked_email(value) if medium == "EMAIL" else f"+*******{value[-4:]}"
    return json.dumps({"CodeDeliveryDetails": {"Destination": destination, "DeliveryMedium": medium,
                                               "AttributeName": name}})


def _verify_user_attribute(self: CognitoIdpResponse) -> str:
    _, user = token_user(self._get_param("AccessToken"))
    _, _, flag = _verifiable(user, self._get_param("AttributeName"))
    user.update_attributes([{"Name": flag, "Value": "true"}])
    return "{}"


def _list_devices(self: CognitoIdpResponse) -> str:
    token_user(self._get_param("AccessToken"))
    return json.dumps({"Devices": []})


def _snake(action: str) -> str:
    from moto.core.utils import camelcase_to_underscores

    return str(camelcase_to_underscores(action))


def _token_actions() -> list[str]:
    """The handler names of every Cognito action whose input has an AccessToken."""
    model = botocore.session.get_session().get_service_model("cognito-idp")
    return [_snake(op) for op in model.operation_names
            if "AccessToken" in (model.operation_model(op).input_shape.members if model.operation_model(op).input_shape
                                 else {})]


ADDED = {"delete_user": _delete_user, "delete_user_attributes": _delete_user_attributes, "list_devices": _list_devices,
         "get_user_attribute_verification_code": _get_user_attribute_verification_code,
         "verify_user_attribute": _verify_user_attribute}
PATCHES = (
    *(patches.replace(CognitoIdpResponse, name, handler, new=True) for name, handler in ADDED.items()),
    *(patches.wrap(CognitoIdpResponse, name, _requiring_user_scope)
      for name in _token_actions() if name not in ADDED and hasattr(CognitoIdpResponse, name)),
)
