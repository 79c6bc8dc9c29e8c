"""Verifying one Cognito token: the floor (one RS256 check), PyJWT, claimsctl's verifier, and aws-jwt-verify."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from benchmarks.common import ROOT
from benchmarks.stack import Deployed
from claimsctl_runtime import tokens

NODE_DIR = ROOT / "benchmarks" / "node"


def _per_call_us(function: Callable[[str], Any], items: list[str]) -> float:
    started = time.perf_counter()
    for item in items:
        function(item)
    return (time.perf_counter() - started) / len(items) * 1e6


def _interleaved(rsa: Callable[[str], Any], rsa_and_payload: Callable[[str], Any],
                 fresh_verifier: Callable[[], Callable[[str], Any]], items: list[str],
                 rounds: int = 9) -> tuple[float, float, float]:
    """The RSA floor, the floor plus reading the payload, and a first verification, measured in alternating
    rounds (a fresh verifier each round, so every token is new to it); the medians. On a small shared machine,
    one pass of each drifts apart."""
    import statistics

    floor, parsed, first = [], [], []
    for _ in range(rounds):
        floor.append(_per_call_us(rsa, items))
        parsed.append(_per_call_us(rsa_and_payload, items))
        first.append(_per_call_us(fresh_verifier(), items))
    return statistics.median(floor), statistics.median(parsed), statistics.median(first)


def _jwks(stack: Deployed) -> dict[str, Any]:
    url = f"{stack.emulator.url}/{stack.outputs['UserPoolId']}/.well-known/jwks.json"
    return json.loads(urllib.request.urlopen(url, timeout=10).read())  # type: ignore[no-any-return]


def _rsa_only(key: Any) -> Callable[[str], None]:
    def verify(token: str) -> None:
        signed, _, signature = token.rpartition(".")
        key.verify(jwt.utils.base64url_decode(signature), signed.encode(), padding.PKCS1v15(), hashes.SHA256())

    return verify


def _rsa_and_payload(key: Any) -> Callable[[str], Any]:
    """The floor plus the least any verifier must also do: decode the payload and parse its JSON (stdlib json,
    C-accelerated), with nothing checked."""
    rsa = _rsa_only(key)

    def verify(token: str) -> Any:
        rsa(token)
        return json.loads(jwt.utils.base64url_decode(token.split(".")[1]))

    return verify


def _peer(stack: Deployed, jwks: dict[str, Any], tokens_list: list[str], rounds: int) -> dict[str, float] | None:
    if shutil.which("node") is None:
        return None
    if not (NODE_DIR / "node_modules" / "aws-jwt-verify").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_DIR, check=True, timeout=300)
    payload = {"userPoolId": stack.outputs["UserPoolId"], "clientId": stack.outputs["UserPoolClientId"],
               "tokenUse": "id", "jwks": jwks, "tokens": tokens_list, "rounds": rounds}
    result = subprocess.run(["node", "verify.mjs"], cwd=NODE_DIR, input=json.dumps(payload), capture_output=True,
                            text=True, check=True, timeout=300)
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def run(stack: Deployed, count: int = 300) -> dict[str, Any]:
    tokens_list = [stack.sign_in("alice")["IdToken"] for _ in range(count)]
    jwks = _jwks(stack)
    key = jwt.PyJWK(jwks["keys"][0], algorithm="RS256").key
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{stack.outputs['UserPoolId']}"
    cache = tokens.JwksCache(fetch=lambda url: jwks)

    shared = tokens.CognitoVerifier(stack.outputs["UserPoolId"], "us-east-1", (stack.outputs["UserPoolClientId"],),
                                    token_use="id", jwks=cache)
    warm = tokens.CognitoVerifier(stack.outputs["UserPoolId"], "us-east-1", (stack.outputs["UserPoolClientId"],),
                                  token_use="id", jwks=cache, verified=tokens.VerifiedCache(size=0))
    for token in tokens_list[:50]:
        warm.verify(token)  # warm up, as the Node peer is warmed up
    rsa_us, parsed_us, first_us = _interleaved(_rsa_only(key), _rsa_and_payload(key), lambda: tokens.CognitoVerifier(
        stack.outputs["UserPoolId"], "us-east-1", (stack.outputs["UserPoolClientId"],), token_use="id",
        jwks=cache).verify, tokens_list)
    first_pass = _per_call_us(shared.verify, tokens_list)
    result: dict[str, Any] = {
        "rsa_verify_only_us": rsa_us,
        "rsa_and_payload_json_us": parsed_us,
        "pyjwt_decode_us": _per_call_us(lambda t: jwt.decode(t, key, algorithms=["RS256"], audience=stack.outputs[
            "UserPoolClientId"], issuer=issuer), tokens_list),
        "claimsctl_first_us": first_us,  # each token new to the verifier (median of the interleaved rounds)
        "claimsctl_first_single_pass_us": first_pass,
        "claimsctl_repeated_us": _per_call_us(shared.verify, [tokens_list[0]] * 10_000),
        "aws_jwt_verify": _peer(stack, jwks, tokens_list, 2000),
    }
    peer = result["aws_jwt_verify"]
    result["first_over_rsa"] = round(result["claimsctl_first_us"] / result["rsa_verify_only_us"], 2)
    result["rsa_and_payload_over_rsa"] = round(parsed_us / rsa_us, 2)
    if peer:
        result["first_over_aws_jwt_verify"] = round(result["claimsctl_first_us"] / peer["first_us"], 2)
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}


if __name__ == "__main__":
    print(Path(__file__).name, "is run by benchmarks/run_all.py")
