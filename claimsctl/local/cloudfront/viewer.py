"""A distribution's viewer side: http://{label}.cloudfront.localhost:{port}/ answers as CloudFront would.

For each GET or HEAD the default cache behaviour's origin bucket is read the way CloudFront reads it:
with Origin Access Control it is the service principal cloudfront.amazonaws.com, with the
distribution's ARN as aws:SourceArn, so the bucket policy decides (claimsctl/local/s3/policy.py); a
missing object is 403 unless the policy also grants s3:ListBucket, as on S3. `/` is the default root
object; an error status is replaced as the custom error responses say (a single-page app's fallback);
the response headers policy's headers are added. Nothing is cached, so invalidations have nothing to
do. docs/emulator.md lists what is not modelled (HTTPS, cache behaviours by path, compression).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from claimsctl.local import urls
from claimsctl.local.cloudfront.cfn import DISTRIBUTIONS, HEADERS_POLICIES, ServedDistribution
from claimsctl.local.s3 import policy as s3_policy

_S3_ORIGIN = re.compile(r"^(?P<bucket>[a-z0-9][a-z0-9.-]+?)\.s3(\.[a-z0-9-]+)?\.amazonaws\.com$")
_AWS_SOURCE = re.compile(r"https://[a-z0-9.-]+\.(?:amazonaws\.com|amazoncognito\.com)(?:/\S*)?")


@dataclass
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def find(label: str) -> ServedDistribution | None:
    return next((d for d in DISTRIBUTIONS.get().values() if d.host_label == label), None)


def matches(environ: dict[str, Any]) -> bool:
    return urls.viewer_label(environ.get("HTTP_HOST", "")) is not None


def _error(status: int, message: str) -> Answer:
    reason = {403: "Forbidden", 404: "Not Found"}.get(status, "Error")
    return Answer(status, {"Content-Type": "text/html"},
                  f"<html><body><h1>{status} {reason}</h1><p>{message}</p></body></html>".encode())


def _from_origin(served: ServedDistribution, key: str) -> Answer:
    """The origin's answer for `key`, read as this distribution (S3's status codes)."""
    from moto.s3.models import s3_backends

    behavior = served.config.get("DefaultCacheBehavior") or {}
    origins: list[dict[str, Any]] = served.config.get("Origins") or []
    origin = next((o for o in origins if o.get("Id") == behavior.get("TargetOriginId")), {})
    match = _S3_ORIGIN.match(origin.get("DomainName", ""))
    if match is None:
        return _error(502, "The origin is not an S3 bucket; the emulator serves S3 origins only.")
    bucket_name = match.group("bucket")
    account = served.arn.split(":")[4]
    backend = s3_backends[account]["aws"]
    bucket = backend.buckets.get(bucket_name)
    if bucket is None:
        return _error(404, f"The origin bucket {bucket_name} does not exist.")
    signed = bool(origin.get("OriginAccessControlId"))
    context = {**s3_policy.SECURE, "aws:SourceArn": served.arn, "aws:SourceAccount": account}

    def allowed(action: str, resource: str) -> bool:
        verdict = s3_policy.evaluate(bucket.policy, action, resource, service="cloudfront.amazonaws.com"
                                     if signed else None, context=context if signed else s3_policy.SECURE)
        return verdict == s3_policy.ALLOWED

    if not allowed("s3:GetObject", f"{bucket.arn}/{key}"):
        return _error(403, "Access Denied")
    found = backend.get_object(bucket_name, key) if key else None
    if found is None:
        return _error(404, "Not Found") if allowed("s3:ListBucket", bucket.arn) else _error(403, "Access Denied")
    headers = {name.title(): str(value) for name, value in found.metadata.items()
               if name.lower() in ("content-type", "cache-control", "content-encoding", "content-disposition",
                                   "content-language", "expires")}
    headers.setdefault("Content-Type", "binary/octet-stream")
    headers.update({"ETag": found.etag, "Last-Modified": found.last_modified_RFC1123})
    return Answer(200, headers, found.value)


def _custom_error(served: ServedDistribution, answer: Answer) -> Answer:
    for response in served.config.get("CustomErrorResponses") or []:
        if int(response.get("ErrorCode", 0)) != answer.status or not response.get("ResponsePagePath"):
            continue
        page = _from_origin(served, unquote(response["ResponsePagePath"]).lstrip("/"))
        if page.status != 200:
            return answer
        page.status = int(response.get("ResponseCode") or answer.status)
        return page
    return answer


def _on_emulator(csp: str) -> str:
    """AWS endpoints named in a Content-Security-Policy are the emulator's endpoint here."""
    from urllib.parse import urlsplit

    parts = urlsplit(urls.endpoint())
    directives = _AWS_SOURCE.sub(f"{parts.scheme}://{parts.netloc}", csp).split(";")
    return ";".join(" ".join(dict.fromkeys(directive.split(" "))) for directive in directives)


def policy_headers(config: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(header, value, override) for a response headers policy's security and custom headers."""
    security = config.get("SecurityHeadersConfig") or {}
    found: list[tuple[str, str, bool]] = []
    csp = security.get("ContentSecurityPolicy")
    if csp:
        found.append(("Content-Security-Policy", _on_emulator(" ".join(csp["ContentSecurityPolicy"].split())),
                      bool(csp.get("Override"))))
    hsts = security.get("StrictTransportSecurity")
    if hsts:
        value = f"max-age={hsts['AccessControlMaxAgeSec']}" + ("; includeSubDomains" if hsts.get("IncludeSubdomains")
                                                               else "") + ("; preload" if hsts.get("Preload") else "")
        found.append(("Strict-Transport-Security", value, bool(hsts.get("Override"))))
    if security.get("ContentTypeOptions"):
        found.append(("X-Content-Type-Options", "nosniff", bool(security["ContentTypeOptions"].get("Override"))))
    frame = security.get("FrameOptions")
    if frame:
        found.append(("X-Frame-Options", frame["FrameOption"], bool(frame.get("Override"))))
    referrer = security.get("ReferrerPolicy")
    if referrer:
        found.append(("Referrer-Policy", referrer["ReferrerPolicy"], bool(referrer.get("Override"))))
    for custom in (config.get("CustomHeadersConfig") or {}).get("Items") or []:
        found.append((custom["Header"], custom["Value"], bool(custom.get("Override"))))
    return found


def _with_policy_headers(served: ServedDistribution, answer: Answer) -> Answer:
    policy_id = (served.config.get("DefaultCacheBehavior") or {}).get("ResponseHeadersPolicyId")
    policy = HEADERS_POLICIES.get().get(policy_id or "")
    if policy is not None:
        present = {name.lower() for name in answer.headers}
        for name, value, override in policy_headers(policy.config):
            if override or name.lower() not in present:
                answer.headers[name] = value
    answer.headers.update({"X-Cache": "Miss from cloudfront", "Via": "1.1 claimsctl-emulator (CloudFront)"})
    return answer


def answer(served: ServedDistribution, method: str, path: str, if_none_match: str | None) -> Answer:
    config = served.config
    allowed = (config.get("DefaultCacheBehavior") or {}).get("AllowedMethods") or ["GET", "HEAD"]
    if not config.get("Enabled", True) or method not in allowed or method not in ("GET", "HEAD"):
        return _with_policy_headers(served, _error(403, "This distribution does not answer this request."))
    key = unquote(path).lstrip("/") or (config.get("DefaultRootObject") or "")
    found = _custom_error(served, _from_origin(served, key)) if key else _custom_error(served, _error(403, "Denied"))
    if found.status == 200 and if_none_match and if_none_match == found.headers.get("ETag"):
        found = Answer(304, {k: v for k, v in found.headers.items() if k in ("ETag", "Cache-Control", "Last-Modified")})
    return _with_policy_headers(served, found)


def handle(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    label = urls.viewer_label(environ.get("HTTP_HOST", "")) or ""
    served = find(label)
    method = environ.get("REQUEST_METHOD", "GET")
    if served is None:
        result = _error(403, "No distribution answers at this name (was the stack deleted?).")
    else:
        path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
        result = answer(served, method, path, environ.get("HTTP_IF_NONE_MATCH"))
    body = b"" if method == "HEAD" or result.status == 304 else result.body
    headers = {**result.headers, "Content-Length": str(len(result.body) if method == "HEAD" else len(body))}
    reasons = {200: "OK", 304: "Not Modified", 403: "Forbidden", 404: "Not Found", 502: "Bad Gateway"}
    start_response(f"{result.status} {reasons.get(result.status, 'Error')}", list(headers.items()))
    return [body]


urls.register("cloudfront", find)
