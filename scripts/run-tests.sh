#!/usr/bin/env bash
# The test command of the README and of CI: lint and types, the web demo's unit tests, then pytest
# (unit, emulator, CLI end-to-end and the browser end-to-end test).
set -euo pipefail
cd "$(dirname "$0")/.."
ruff check .
mypy
(cd pre-token-web-app && npm run --silent lint && npm test --silent)
pytest "$@"
