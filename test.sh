#!/usr/bin/env bash
# The whole test suite: sets up .venv and the system packages the real-component tests need, then pytest.
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
cd "$root"
bash scripts/bootstrap.sh
bash scripts/system-deps.sh
.venv/bin/ruff check .
bash scripts/typecheck.sh
# the built wheel, installed alone in a fresh venv (a minute or two: it installs the dependencies);
# TRACEGRAPH_SKIP_WHEEL_CHECK=1 skips it while iterating locally, never in CI
if [ "${TRACEGRAPH_SKIP_WHEEL_CHECK:-}" = 1 ] && [ "${CI:-}" != true ]; then
  echo "[test] wheel check skipped (TRACEGRAPH_SKIP_WHEEL_CHECK=1)"
else
  bash scripts/wheel-check.sh
fi
exec .venv/bin/python -m pytest "$@"
