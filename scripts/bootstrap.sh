#!/usr/bin/env bash
# Create .venv at the project root when missing and install the project (editable) with its test extras.
# Re-running is cheap: pip is skipped when the installed requirements are up to date.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
py=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "[bootstrap] creating .venv with $($py --version 2>&1)"
  "$py" -m venv .venv
fi
stamp=.venv/.tracegraph-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "[bootstrap] installing Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test]"
  touch "$stamp"
fi
