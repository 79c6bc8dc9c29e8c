"""A token's bytes against the header limits it meets on its way (docs/claims.md, "Thousands of projects").

The token travels as `Authorization: <token>`; what counts is that header (name, ": ", value and CRLF),
the other headers of a request not included (they add a few hundred bytes in practice)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from claimsctl_runtime import lookup


@dataclass(frozen=True)
class Limit:
    name: str
    bytes: int
    counts: str


LIMITS = (
    Limit("S3 origin", 8_192, "all request headers (RequestHeaderSectionTooLarge)"),
    Limit("API Gateway REST API", 10_240, "all header names and values"),
    Limit("API Gateway HTTP API", 10_240, "the request line and headers"),
    Limit("Application Load Balancer", 16_384, "one header"),
    Limit("CloudFront", 20_480, "the whole request, URL and headers"),
)
HEADER = "Authorization"


def header_bytes(token: str) -> int:
    """Bytes of the `Authorization: <token>` header line, CRLF included."""
    return len(HEADER) + 2 + len(token.encode()) + 2


def against(token: str) -> list[dict[str, Any]]:
    """[{"limit", "bytes", "counts", "fits"}] for each limit, the token's header measured once."""
    used = header_bytes(token)
    return [{"limit": limit.name, "bytes": limit.bytes, "counts": limit.counts, "fits": used <= limit.bytes}
            for limit in LIMITS]


def summary(token: str, claims: dict[str, Any]) -> dict[str, Any]:
    """Which way the principal is authorized (token or lookup), the token's bytes, and the limits."""
    return {"way": lookup.way(claims), "token_bytes": len(token.encode()), "header_bytes": header_bytes(token),
            "limits": against(token)}


def lines(report: dict[str, Any]) -> list[str]:
    """The summary as text, one line each."""
    how = ("its claims are in the token" if report["way"] == "token"
           else "its claims did not fit: both designs read its row (one GetItem per token, optimized)")
    found = [f"authorized by: {report['way']} ({how})",
             f"token: {report['token_bytes']} bytes; Authorization header: {report['header_bytes']} bytes"]
    for limit in report["limits"]:
        found.append(f"  {'fits' if limit['fits'] else 'TOO BIG'} {limit['limit']}: {limit['bytes']:,} bytes "
                     f"({limit['counts']})")
    return found
