#!/usr/bin/env bash
# The main job on the embedded default (networkx + a local workspace folder, no server): set up .venv,
# import the documents in data/ into workspace/ (unchanged files are skipped), build and apply curation,
# then open the app on http://127.0.0.1:8501 (loopback only). Extra arguments go to `tracegraph app`.
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
cd "$root"
bash scripts/bootstrap.sh
.venv/bin/tracegraph curate import data --workspace workspace || echo "（部分文件读取失败，见上方原因；其余文档已导入）"
.venv/bin/tracegraph curate build --workspace workspace --out workspace/graph.json
.venv/bin/tracegraph stats --graph workspace/graph.json
if [ "${TRACEGRAPH_NO_APP:-0}" != "1" ]; then
  exec .venv/bin/tracegraph app --workspace workspace "$@"
fi
