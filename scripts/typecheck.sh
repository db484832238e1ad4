#!/usr/bin/env bash
# Type-check the tracegraph packages with mypy (config: [tool.mypy] in pyproject.toml).
# The repository root is the `tracegraph` package and the editable install resolves it through
# setuptools' import hook, which mypy cannot follow; so this lays out a staging folder holding a
# `tracegraph` directory of symlinks to the package's files and folders (not tests/ or tools/) and
# points MYPYPATH at it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mypy=${MYPY:-$root/.venv/bin/mypy}
stage=$(mktemp -d "${TMPDIR:-/tmp}/tracegraph-typecheck.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/tracegraph"
for item in __init__.py errors.py app.py py.typed graph loaders cli ui; do
  if [ ! -e "$root/$item" ]; then
    echo "[typecheck] missing $root/$item" >&2
    exit 1
  fi
  ln -s "$root/$item" "$stage/tracegraph/$item"
done
cd "$stage"
# the cache lives outside the checkout (nothing to ignore, nothing shared between checkouts)
MYPYPATH="$stage" exec "$mypy" --config-file "$root/pyproject.toml" \
  --cache-dir "${TRACEGRAPH_MYPY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tracegraph-mypy}" \
  -p tracegraph "$@"
