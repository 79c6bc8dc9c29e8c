"""The errors Cognito returns when a Lambda trigger fails, as API callers see them."""

from __future__ import annotations

from moto.core.exceptions import JsonRESTError


class UserLambdaValidationException(JsonRESTError):
    def __init__(self, trigger: str, message: str) -> None:
        super().__init__("UserLambdaValidationException", f"{trigger} failed with error {message}.")


class InvalidLambdaResponseException(JsonRESTError):
    def __init__(self, message: str = "Unrecognizable lambda output") -> None:
        super().__init__("InvalidLambdaResponseException", message)


class UnexpectedLambdaException(JsonRESTError):
    def __init__(self, trigger: str, cause: str) -> None:
        super().__init__("UnexpectedLambdaException", f"{trigger} invocation failed due to error {cause}.")


class FeatureUnavailableInTierException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("FeatureUnavailableInTierException", message)
