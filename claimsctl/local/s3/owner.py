"""S3's ExpectedBucketOwner: a request naming an owner is refused (403 AccessDenied) by a bucket of another account.

moto ignores the header; AWS checks it on every bucket and object operation
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html).
Buckets are found by path-style addressing, which boto3 uses for an IP endpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

HEADER = "HTTP_X_AMZ_EXPECTED_BUCKET_OWNER"


def _bucket_account(bucket: str) -> str | None:
    from moto.s3.models import s3_backends

    entry = s3_backends.bucket_accounts.get(bucket)
    return None if entry is None else str(entry[1])


def refused(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes] | None:
    """The AccessDenied answer when the named bucket belongs to another account; None to let the request through."""
    expected = environ.get(HEADER)
    if not expected:
        return None
    bucket = environ.get("PATH_INFO", "").lstrip("/").split("/", 1)[0]
    owner = _bucket_account(bucket) if bucket else None
    if owner is None or owner == expected:
        return None
    body = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
            b"<Message>Access Denied</Message></Error>")
    start_response("403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
    return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]
