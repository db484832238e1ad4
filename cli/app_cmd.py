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
    """The command line for the app: `streamlit run …` through tracegraph.ui.serve, which reads the workspace
    while the server starts."""
    return [
        sys.executable, "-m", "tracegraph.ui.serve", "run", str(app),
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
    from tracegraph.ui.accounts import has_accounts, users_path

    accounts = has_accounts(workspace)
    if not is_loopback(args.host) and not accounts and not args.no_login:
        print(f"错误：应用将监听 {args.host}，但工作区没有任何账户（{users_path(workspace)}），"
              "局域网内任何人都能读取文档。"
              f"请先用 tracegraph users add 用户名 --workspace {workspace} 添加账户；"
              "确需不登录时加 --no-login。", file=sys.stderr)
        return 2
    if args.no_login:
        print("警告：--no-login：应用不要求登录，能访问此地址的人都能读取和校对工作区中的文档。", file=sys.stderr)
    elif accounts:
        print("应用要求登录（账户见 tracegraph users list）。", file=sys.stderr)
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
    elif args.archive:
        from tracegraph.graph.stores.archive_store import ArchiveStore
        from tracegraph.ui.workspace import ARCHIVE_ENV

        archive = Path(args.archive).expanduser().resolve()
        with ArchiveStore(archive) as opened:  # a missing or foreign file fails here, naming it
            count = len(opened.documents(("title",)))
        env[ARCHIVE_ENV] = str(archive)
        env.pop("TRACEGRAPH_NEO4J_URI", None)  # the archive named here, not a server from the environment
        print(f"图谱来源：档案库 {archive}（{count} 篇文档）；校对决定记入工作区", file=sys.stderr)
    from tracegraph.ui.workspace import NO_LOGIN_ENV

    env.pop(NO_LOGIN_ENV, None)
    if args.no_login:
        env[NO_LOGIN_ENV] = "1"
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
    p.add_argument("--archive", metavar="FILE",
                   help="从档案库文件读取图谱（tracegraph archive build 写入）：每页只读取它显示的那份文档")
    p.add_argument("--no-login", action="store_true",
                   help="不要求登录（工作区有账户时也不要求）；监听本机以外地址而没有账户时必须明确给出")
    p.set_defaults(func=cmd_app)

    u = subparsers.add_parser("users", help="管理应用的登录账户（工作区中的 users.json，密码只存哈希）")
    u.add_argument("action", choices=("add", "remove", "list"), help="add 添加或重设密码，remove 删除，list 列出")
    u.add_argument("name", nargs="?", help="用户名（add/remove）")
    u.add_argument("--workspace", default="workspace", help="工作区文件夹，默认 ./workspace")
    u.set_defaults(func=cmd_users)


def _password() -> str:
    """The new password: $TRACEGRAPH_PASSWORD, else typed twice at a prompt (never on the command line)."""
    import getpass

    from tracegraph.errors import ConfigError
    from tracegraph.ui.accounts import PASSWORD_ENV

    env = os.environ.get(PASSWORD_ENV)
    if env is not None:
        return env
    if not sys.stdin.isatty():
        raise ConfigError(f"请在终端输入密码，或设置环境变量 {PASSWORD_ENV}")
    first = getpass.getpass("密码：")
    if getpass.getpass("再输入一次：") != first:
        raise ConfigError("两次输入的密码不一致")
    return first


def cmd_users(args: argparse.Namespace) -> int:
    from tracegraph.ui import accounts

    workspace = Path(args.workspace).expanduser().resolve()
    if args.action == "list":
        rows = accounts.list_users(workspace)
        if not rows:
            print(f"没有账户（{accounts.users_path(workspace)}）")
        for name, at in rows:
            print(f"{name}\t密码设置于 {at}")
        return 0
    if not args.name:
        print("错误：请给出用户名", file=sys.stderr)
        return 2
    if args.action == "add":
        new = accounts.add_user(workspace, args.name, _password())
        print(f"{'已添加账户' if new else '已重设密码'}：{args.name}")
    else:
        accounts.remove_user(workspace, args.name)
        print(f"已删除账户：{args.name}")
    return 0
