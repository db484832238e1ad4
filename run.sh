#!/usr/bin/env bash
# The main job on the embedded default (networkx + a local workspace folder, no server):
# set up .venv, build the documents in data/ into workspace/graph.json, then open the app on
# http://127.0.0.1:8501 (loopback only). Extra arguments are passed to the app command.
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
cd "$root"
bash scripts/bootstrap.sh
mkdir -p workspace
.venv/bin/tracegraph build data --out workspace/graph.json || echo "（部分文件读取失败，见上方错误信息；其余文档已构建）"
.venv/bin/tracegraph stats --graph workspace/graph.json
if [ -f app.py ] && [ "${TRACEGRAPH_NO_APP:-0}" != "1" ]; then
  exec .venv/bin/tracegraph app --workspace workspace "$@"
fi
