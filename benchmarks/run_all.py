"""Every figure of issue #6 in one run: prints a table, writes benchmarks/results/all.json and a chart.

Run: make bench   (or python -m benchmarks.run_all [--quick])
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from benchmarks import (
    authorization,
    burst,
    cli_startup,
    peer,
    seeding,
    signin_load,
    signin_vs_peer,
    token_size,
    verification,
)
from benchmarks.common import RESULTS, save
from benchmarks.stack import deployed


def collect(quick: bool) -> dict[str, Any]:
    scale = 10 if quick else 1
    results: dict[str, Any] = {"peer_cognito_local": peer.run(calls=200 // scale)}  # first: it needs npm
    with deployed(api="both") as stack:
        results["authorization"] = authorization.run(stack, requests_each=1000 // scale)
        results["verification"] = verification.run(stack, count=300 // scale)
        results["sign_in"] = signin_load.run(stack, calls=200 // scale)
        results["token_size_v1"] = token_size.run(stack, "V1_0")
        results["seeding"] = seeding.run(stack, users=1000 // scale, one_by_one=20 // scale)
    with deployed(api="none", triggerVersion="V2_0") as stack:
        results["token_size_v2"] = token_size.run(stack, "V2_0")
    with deployed(api="none") as cold:
        results["burst"] = burst.run(cold, users=200 // scale)
    with deployed(api="none") as stack:
        results["signin_vs_peer"] = signin_vs_peer.run(stack, rounds=5 if not quick else 2, calls=200 // scale)
    ours, theirs = results["sign_in"]["16_clients_per_s"], results["peer_cognito_local"]["16_clients_per_s"]
    results["sign_in"]["with_trigger_over_peer_16_clients"] = round(ours / theirs, 2)
    results["cli_startup"] = cli_startup.measure(runs=20 // scale)
    return results


def table(results: dict[str, Any]) -> list[tuple[str, str]]:
    api = results["authorization"]["api"]
    decision = results["authorization"]["decision"]
    verify = results["verification"]
    peer = verify.get("aws_jwt_verify") or {}
    sign_in = results["sign_in"]
    seed = results["seeding"]
    rows = [
        *[(f"API p50 / p99, {design} {method}", f"{api[f'{design} {method}']['p50_ms']} / "
           f"{api[f'{design} {method}']['p99_ms']} ms") for method in ("GET", "POST") for design in
          ("optimized", "standard")],
        ("DynamoDB reads per 1,000 GETs (opt / std)",
         f"{api['optimized GET']['dynamodb_reads_per_1000']} / {api['standard GET']['dynamodb_reads_per_1000']}"),
        ("Lambda invocations per 1,000 GETs (opt / std)",
         f"{api['optimized GET']['lambda_invocations_per_1000']} / {api['standard GET']['lambda_invocations_per_1000']}"),
        ("Decision in-process: authorizer new token / repeated token",
         f"{decision['authorizer_first_token']['p50_ms']} / {decision['authorizer_repeated_token']['p50_ms']} ms"),
        ("Decision for a new token, through claims.routes_for over the pre-seam decision (goal at most 1.2x)",
         f"{decision['seam_over_pre_seam_p50']}x ({decision['pre_seam_first_token']['p50_ms']} ms before)"),
        *[(f"Policy for {row['projects']} projects with mixed roles: routes, bytes, build p50",
           f"{row['routes']}, {row['policy_bytes']} B, {row['p50_ms']} ms") for row in decision["policy"]],
        ("Token bytes per project, viewer / editor (V1 ID token, from 100 to 200 projects)",
         f"{results['token_size_v1']['bytes_per_project']} / {results['token_size_v1']['bytes_per_project_with_roles']}"),
        ("Decision in-process: standard lookup (GetItem)", f"{decision['standard_lookup_getitem']['p50_ms']} ms"),
        ("Verify: RSA only / PyJWT / claimsctl first / claimsctl repeated",
         f"{verify['rsa_verify_only_us']} / {verify['pyjwt_decode_us']} / {verify['claimsctl_first_us']} / "
         f"{verify['claimsctl_repeated_us']} us"),
        ("Verify: aws-jwt-verify verifySync (first / same token)",
         f"{peer.get('first_us', 'n/a')} / {peer.get('repeated_us', 'n/a')} us"),
        ("claimsctl first verification as a multiple of RSA / of aws-jwt-verify",
         f"{verify['first_over_rsa']}x / {verify.get('first_over_aws_jwt_verify', 'n/a')}x"),
        ("RSA check plus decoding and parsing the payload, nothing checked, as a multiple of RSA",
         f"{verify['rsa_and_payload_over_rsa']}x"),
        ("Sign-in with trigger: first / warm p50 / warm p99",
         f"{sign_in['first_ms']} / {sign_in['warm']['p50_ms']} / {sign_in['warm']['p99_ms']} ms"),
        ("Sign-ins per second with 1 / 4 / 16 clients, with the trigger",
         f"{sign_in['1_clients_per_s']} / {sign_in['4_clients_per_s']} / {sign_in['16_clients_per_s']}"),
        ("Sign-ins per second with 1 / 4 / 16 clients, no trigger",
         " / ".join(str(sign_in["without_trigger"][f"{n}_clients_per_s"]) for n in (1, 4, 16))),
        ("cognito-local 5.3.0, no trigger: sign-ins per second with 1 / 4 / 16 clients",
         " / ".join(str(results["peer_cognito_local"][f"{n}_clients_per_s"]) for n in (1, 4, 16))),
        ("Ours with the trigger over cognito-local without, 16 clients (goal 2x)",
         f"{sign_in['with_trigger_over_peer_16_clients']}x"),
        ("The same, median of 5 alternating rounds with both running (min - max)",
         f"{results['signin_vs_peer']['median_ratio']}x ({results['signin_vs_peer']['min_ratio']}x - "
         f"{results['signin_vs_peer']['max_ratio']}x)"),
        ("First sign-in through the trigger over a warm one (goal 2x)", f"{sign_in['first_over_warm_p50']}x"),
        ("Cold burst: 200 sign-ins, 32 at once, each with its own claim",
         f"{results['burst']['succeeded']} / {results['burst']['total']} in {results['burst']['seconds']} s"),
        ("Projects where the header passes 10,240 bytes (V1 / V2, uncapped)",
         f"{results['token_size_v1']['first_count_over_limit']} / {results['token_size_v2']['first_count_over_limit']}"),
        (f"Seeding {seed['users']} users: one file / one command each (estimated)",
         f"{seed['bulk_s']} s / {seed['one_command_each_estimated_s']} s ({seed['speedup']}x)"),
        ("Re-run of the same file (all unchanged)", f"{seed['rerun_unchanged_s']} s"),
        ("claimsctl --help / python -c pass / python -c 'import click'",
         f"{results['cli_startup']['claimsctl_help_ms']} / {results['cli_startup']['python_c_pass_ms']} / "
         f"{results['cli_startup']['python_import_click_ms']} ms"),
    ]
    return rows


def chart(results: dict[str, Any]) -> str | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    figure, (sizes, latency) = plt.subplots(1, 2, figsize=(12, 4.5))
    for name, key in (("V1 (ID token)", "token_size_v1"), ("V2 (access token)", "token_size_v2")):
        rows = results[key]["uncapped"]
        sizes.plot([r["projects"] for r in rows], [r["request_bytes"] for r in rows], marker="o", label=f"{name}, no cap")
        capped = results[key]["capped"]
        sizes.plot([r["projects"] for r in capped], [r["request_bytes"] for r in capped], linestyle="--",
                   label=f"{name}, as issued")
    sizes.axhline(10_240, color="red", label="API Gateway limit (10,240 B)")
    sizes.set(xscale="log", xlabel="projects per user", ylabel="request line + headers (bytes)",
              title="Token size against projects")
    sizes.legend(fontsize=8)
    api = results["authorization"]["api"]
    names = ["optimized (claim)", "standard (CheckUserAccess)"]
    latency.bar([n + " p50" for n in names], [api["optimized GET"]["p50_ms"], api["standard GET"]["p50_ms"]],
                color="tab:blue")
    latency.bar([n + " p99" for n in names], [api["optimized GET"]["p99_ms"], api["standard GET"]["p99_ms"]],
                color="tab:orange")
    latency.set(ylabel="ms per request (emulator)", title="Authorization per request")
    latency.tick_params(axis="x", labelrotation=20, labelsize=8)
    figure.tight_layout()
    path = RESULTS / "figures.png"
    figure.savefig(path, dpi=110)
    return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a tenth of the work, for a smoke run")
    results = collect(parser.parse_args().quick)
    width = max(len(label) for label, _ in table(results))
    for label, value in table(results):
        print(f"{label:<{width}}  {value}")
    print(f"results: {save('all', results)}")
    drawn = chart(results)
    print(f"chart: {drawn}" if drawn else "chart: skipped (pip install matplotlib, or make bench)")
    print(json.dumps({"ok": True}))


if __name__ == "__main__":
    main()
