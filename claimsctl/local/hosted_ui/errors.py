"""The OAuth 2.0 error the hosted UI's endpoints answer with."""

from __future__ import annotations


class OAuthError(Exception):
    """An OAuth error: `code` is the `error` value, the message its `error_description`."""

    def __init__(self, code: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.status = status
