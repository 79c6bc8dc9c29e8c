#!/usr/bin/env bash
# The whole journey on the local emulator: start it, deploy, add a demo user with
# projects, sign in and show the `projects` claim, call the API, tear down, stop the emulator.
# Short on purpose: deploy and teardown print their summary only (--quiet); every other
# line is what the command prints.
set -euo pipefail
cd "$(dirname "$0")/.."

port="${CLAIMSCTL_DEMO_PORT:-0}"
log="$(mktemp -t claimsctl-emulator.XXXXXX)"
claimsctl local start --port "$port" >"$log" 2>&1 &
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; rm -f "$log"' EXIT

for _ in $(seq 1 100); do  # bounded: 10 s at most
  endpoint="$(head -n 1 "$log" 2>/dev/null || true)"
  [[ "$endpoint" == http://* ]] && break
  sleep 0.1
done
[[ "${endpoint:-}" == http://* ]] || { echo "The emulator did not start:"; cat "$log"; exit 1; }
export AWS_ENDPOINT_URL="$endpoint"
echo "Local emulator at $AWS_ENDPOINT_URL"

# A throwaway password for the throwaway demo user; never printed.
password="Demo-$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')-9a"

echo "== Deploy"
claimsctl deploy --yes --quiet   # with "web": {"hosting": "s3"}: builds the web app and publishes it behind CloudFront

web_url="$(claimsctl status --output json | python3 -c 'import json, sys; print(json.load(sys.stdin)["outputs"].get("WebUrl", ""))')"
if [[ -n "$web_url" ]]; then
  echo "== The web app, served by the stack's CloudFront distribution: open $web_url in a browser"
  python3 - "$web_url" <<'PY'
import http.client, re, sys
from urllib.parse import urlsplit
url = urlsplit(sys.argv[1])  # *.localhost is loopback; ask 127.0.0.1 with the distribution's host name
connection = http.client.HTTPConnection("127.0.0.1", url.port, timeout=10)
connection.request("GET", "/", headers={"Host": url.netloc})
response = connection.getresponse()
title = re.search(rb"<title>(.*?)</title>", response.read())
print(f"HTTP {response.status}  GET {sys.argv[1]}  ({title.group(1).decode() if title else 'no title'})")
print(f"Content-Security-Policy: {response.getheader('Content-Security-Policy', '')[:70]}...")
PY
fi
echo "== A user with two projects, signed in: the ID token's claims (the custom claim marked)"
printf '%s\n' "$password" | claimsctl add-user --username demo --email demo@example.com \
  --projects project-alpha,project-beta --seed-items 2 --password-stdin
printf '%s\n' "$password" | claimsctl login demo --password-stdin

echo "== The API, authorized from the claim: the user's project, then another one (one sign-in, its token reused)"
token="$(printf '%s\n' "$password" | claimsctl login demo --password-stdin --output json --show-tokens \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["tokens"]["id_token"])')"
printf '%s' "$token" | claimsctl request GET /projects/project-alpha/items --token -
if printf '%s' "$token" | claimsctl request GET /projects/project-gamma/items --token -; then
  echo "project-gamma should have been refused" >&2
  exit 1
fi

echo "== The function logs: the trigger's, for that sign-in"
claimsctl logs trigger --since 5m | tail -n 3

echo "== Teardown"
claimsctl teardown --yes --quiet
