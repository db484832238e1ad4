"""`tracegraph app`: serve the Streamlit app on loopback (documents may be confidential).

The workspace folder reaches the app through the TRACEGRAPH_WORKSPACE environment variable; the server
options are passed on the command line as well as in .streamlit/config.toml so they hold whatever the
current directory is."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def streamlit_argv(app: Path, host: str, port: int) -> list[str]:
    """The `python -m streamlit run …` command line for the app."""
    return [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.address", host,
        "--server.port", str(port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--browser.serverAddress", "localhost" if is_loopback(host) else host,
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
        "--global.developmentMode", "false",
    ]


def cmd_app(args: argparse.Namespace) -> int:
    if not APP.exists():
        print(f"错误：找不到 {APP}", file=sys.stderr)
        return 2
    workspace = Path(args.workspace).expanduser().resolve()
    workspace.mkdir(parents=True, exist_ok=True)
    if not is_loopback(args.host):
        print(f"警告：应用将监听 {args.host}:{args.port}，同一网络中的其他计算机都能访问工作区中的文档。"
              "仅在可信的内网中这样做，并确认文档可以在该范围内查看。", file=sys.stderr)
    print(f"工作区：{workspace}\n打开 http://{'127.0.0.1' if is_loopback(args.host) else args.host}:{args.port}",
          file=sys.stderr)
    from tracegraph.graph.curation.workspace_files import ENV_VAR

    env = dict(os.environ)
    env[ENV_VAR] = str(workspace)
    if args.neo4j:
        # the shared store: the app reads the graph from Neo4j; the password travels in the environment,
        # never on a command line or in a log
        from tracegraph.cli.neo4j_cmd import password_for
        from tracegraph.graph.stores.neo4j_store import Neo4jStore

        user = args.neo4j_user
        password = password_for(user, args.neo4j)
        Neo4jStore.connect(args.neo4j, user, password).close()  # fail here, clearly, not in the browser
        env["TRACEGRAPH_NEO4J_URI"] = args.neo4j
        env["NEO4J_USER"] = user
        env["NEO4J_PASSWORD"] = password
        print(f"图谱来源：Neo4j {args.neo4j}", file=sys.stderr)
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    os.chdir(ROOT)  # .streamlit/config.toml is read from the current directory
    argv = streamlit_argv(APP, args.host, args.port)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(argv[0], argv, env)
    return 0  # not reached


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("app", help="打开浏览器界面（默认只监听本机 127.0.0.1）")
    p.add_argument("--workspace", default="workspace", help="工作区文件夹（graph.json 和上传的文档），默认 ./workspace")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--host", default="127.0.0.1",
                   help="监听地址，默认 127.0.0.1（仅本机）；0.0.0.0 会让局域网内其他计算机访问")
    p.add_argument("--neo4j", default=os.environ.get("TRACEGRAPH_NEO4J_URI"),
                   help="从共享的 Neo4j 读取图谱（如 bolt://127.0.0.1:7687）；密码取自 NEO4J_PASSWORD 或终端输入")
    p.add_argument("--neo4j-user", default=os.environ.get("NEO4J_USER", "neo4j"))
    p.set_defaults(func=cmd_app)
