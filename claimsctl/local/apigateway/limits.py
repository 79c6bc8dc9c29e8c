"""The size limits API Gateway documents for running a REST API, checked before anything else runs.

"Quotas for configuring and running a REST API in API Gateway"
(https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html):
- the total combined size of all header values, including header names, values, any line terminators and
  whitespace: 10240 bytes. Past it: 413, API Gateway's REQUEST_TOO_LARGE gateway response
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html);
- the length of the URL of a Regional API: 10240 characters; the method ARN: 1600 bytes ("your API will
  return a 414 Request URI too long response"). Past either: 414.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request

HEADER_BYTES = 10_240
URL_CHARACTERS = 10_240
METHOD_ARN_BYTES = 1_600
Refused = tuple[int, str, dict[str, Any]]
TOO_LARGE = (413, "RequestTooLargeException", "Request Too Long")
URI_TOO_LONG = (414, "RequestUriTooLongException", "Request URI too long")


def header_bytes(request: Request) -> int:
    """Bytes of the request's header section as sent: `Name: value` and CRLF for each header."""
    return sum(len(name.encode()) + 2 + len(value.encode()) + 2 for name, value in request.headers.items())


def _refusal(kind: tuple[int, str, str], detail: str) -> Refused:
    return kind[0], kind[1], {"message": kind[2], "detail": detail}


def refused_request(request: Request) -> Refused | None:
    """(status, error type, body) when the request passes a limit checked before routing; else None."""
    used = header_bytes(request)
    if used > HEADER_BYTES:
        return _refusal(TOO_LARGE, f"The headers are {used} bytes; API Gateway takes {HEADER_BYTES}.")
    url = len(request.url)
    if url > URL_CHARACTERS:
        return _refusal(URI_TOO_LONG, f"The URL is {url} characters; API Gateway takes {URL_CHARACTERS}.")
    return None


def refused_method_arn(method_arn: str) -> Refused | None:
    """(status, error type, body) when the request's method ARN is longer than API Gateway takes."""
    used = len(method_arn.encode())
    if used > METHOD_ARN_BYTES:
        return _refusal(URI_TOO_LONG, f"The method ARN is {used} bytes; API Gateway takes {METHOD_ARN_BYTES}.")
    return None
