#!/usr/bin/env bash
# The test command of the README and of CI: lint, types, then the whole pytest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
ruff check .
mypy
pytest "$@"
