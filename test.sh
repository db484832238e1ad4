#!/usr/bin/env bash
# The whole test suite: sets up .venv and the system packages the real-component tests need, then pytest.
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
cd "$root"
bash scripts/bootstrap.sh
bash scripts/system-deps.sh
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
