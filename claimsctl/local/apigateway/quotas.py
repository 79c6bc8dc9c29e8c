"""API Gateway's limits on authorizers that the service model does not carry (its model has no ranges):

- `authorizerResultTtlInSeconds` is 0 to 3600 ("The maximum value is 3600, or 1 hour": the Authorizer
  reference), on CreateAuthorizer, UpdateAuthorizer's patch and CloudFormation's AWS::ApiGateway::Authorizer:
  BadRequestException, as API Gateway answers an invalid request.
  https://docs.aws.amazon.com/apigateway/latest/api/API_Authorizer.html
- "Authorizers per API (AWS Lambda and Amazon Cognito)": 10 ("Amazon API Gateway quotas", REST API quotas):
  LimitExceededException (HTTP 429, as the API reference gives it).
  https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto.apigateway.exceptions import BadRequestException
from moto.apigateway.models import APIGatewayBackend
from moto.core.exceptions import JsonRESTError

from claimsctl.local import patches

MAX_TTL_SECONDS = 3600
AUTHORIZERS_PER_API = 10
_TTL_PATH = "/authorizerResultTtlInSeconds"


class LimitExceededException(JsonRESTError):
    code = 429

    def __init__(self, message: str) -> None:
        super().__init__("LimitExceededException", message)


def check_ttl(value: Any) -> None:
    """BadRequestException unless `value` (absent, or a number of seconds) is 0 to 3600."""
    if value is None:
        return
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        raise BadRequestException(f"Invalid authorizer TTL {str(value)[:40]!r}: a whole number of seconds from 0 "
                                  f"to {MAX_TTL_SECONDS} is required.") from None
    if isinstance(value, bool) or not 0 <= seconds <= MAX_TTL_SECONDS:
        raise BadRequestException(f"Invalid authorizer TTL {seconds}: authorizerResultTtlInSeconds must be from 0 to "
                                  f"{MAX_TTL_SECONDS} seconds.")


def _checking_create(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def create_authorizer(self: APIGatewayBackend, restapi_id: str, name: str, authorizer_type: str,
                          **kwargs: Any) -> Any:
        check_ttl(kwargs.get("authorizer_result_ttl"))
        api = self.get_rest_api(restapi_id)
        if len(api.authorizers) >= AUTHORIZERS_PER_API:
            raise LimitExceededException(
                f"The API already has {len(api.authorizers)} authorizers, the quota is {AUTHORIZERS_PER_API} per API.")
        return original(self, restapi_id, name, authorizer_type, **kwargs)

    return create_authorizer


def _checking_update(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def update_authorizer(self: APIGatewayBackend, restapi_id: str, authorizer_id: str, patch_operations: Any) -> Any:
        for operation in patch_operations or []:
            if isinstance(operation, dict) and operation.get("path") == _TTL_PATH and operation.get("op") == "replace":
                check_ttl(operation.get("value"))
        return original(self, restapi_id, authorizer_id, patch_operations)

    return update_authorizer


PATCHES = (
    patches.wrap(APIGatewayBackend, "create_authorizer", _checking_create),
    patches.wrap(APIGatewayBackend, "update_authorizer", _checking_update),
)
