"""The app's user accounts: names with argon2id password hashes in `<workspace>/users.json`, which the admin
manages with `tracegraph users add/remove/list`. When the file holds at least one account the app asks for a
login first and the logged-in name is the 校对人 in the curation audit trail; `tracegraph app` refuses to listen
beyond loopback without one (unless told --no-login).

Failed logins are slowed down per user name and per browser session (1, 2, 4, … seconds, at most
MAX_DELAY, before the next try is even checked; the first step is $TRACEGRAPH_LOGIN_DELAY) and written to
`<workspace>/login.log`. The file stores no password, only its hash; a password never travels on a command
line (prompt or TRACEGRAPH_PASSWORD)."""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from tracegraph.errors import ConfigError

USERS_FILE = "users.json"
LOG_FILE = "login.log"
SCHEMA = "tracegraph-users/1"
PASSWORD_ENV = "TRACEGRAPH_PASSWORD"
MIN_PASSWORD = 8
MAX_DELAY = 300.0
DELAY_ENV = "TRACEGRAPH_LOGIN_DELAY"  # seconds of the first slowdown (default 1; doubled on each failure)
NAME_RE = re.compile(r"^[\w.\-\u4e00-\u9fff]{1,40}$")

_HASHER = PasswordHasher()  # argon2id with the library's defaults
_DUMMY = _HASHER.hash("tracegraph-no-such-user")  # verified against for unknown names: same cost either way


def users_path(workspace: str | Path) -> Path:
    return Path(workspace) / USERS_FILE


def _read(workspace: str | Path) -> dict[str, dict[str, Any]]:
    p = users_path(workspace)
    if not p.exists():
        return {}
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"无法读取账户文件 {p}：{exc}") from exc
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("users"), dict):
        raise ConfigError(f"账户文件 {p} 格式不对（应为 {SCHEMA}）")
    return data["users"]


def _write(workspace: str | Path, users: dict[str, dict[str, Any]]) -> None:
    """Write the whole file atomically, readable by its owner only."""
    p = users_path(workspace)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".users-", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"schema": SCHEMA, "users": users}, f, ensure_ascii=False, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not NAME_RE.match(name):
        raise ConfigError("用户名须为 1–40 个汉字、字母、数字或 . _ -")
    return name


def add_user(workspace: str | Path, name: str, password: str) -> bool:
    """Add an account or set a new password; True when the name is new."""
    name = check_name(name)
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"密码至少 {MIN_PASSWORD} 个字符")
    users = _read(workspace)
    new = name not in users
    users[name] = {"hash": _HASHER.hash(password), "set": _now()}
    _write(workspace, users)
    return new


def remove_user(workspace: str | Path, name: str) -> None:
    users = _read(workspace)
    if name not in users:
        raise ConfigError(f"没有账户 {name}")
    del users[name]
    _write(workspace, users)


def list_users(workspace: str | Path) -> list[tuple[str, str]]:
    """(name, when its password was set) per account, by name."""
    return sorted((n, str(u.get("set") or "")) for n, u in _read(workspace).items())


def has_accounts(workspace: str | Path) -> bool:
    return bool(_read(workspace))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- logging in ---

@dataclass
class _Throttle:
    failures: int = 0
    until: float = 0.0


_THROTTLE: dict[str, _Throttle] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    user: str = ""
    message: str = ""
    wait: float = 0.0


def _keys(name: str, session: str) -> list[str]:
    return [f"user:{name}", f"session:{session}"]


def _log(workspace: str | Path, line: str) -> None:
    try:
        with open(Path(workspace) / LOG_FILE, "a", encoding="utf-8") as f:
            f.write(f"{_now()} {line}\n")
    except OSError:
        pass  # a full or read-only disk must not open the door nor lock everyone out


def login(workspace: str | Path, name: str, password: str, session: str, now: float | None = None) -> LoginResult:
    """Check one login attempt. While a name or a session is being slowed down, the attempt is refused
    without looking at the password; each failure doubles the wait (1 s, 2 s, 4 s, … MAX_DELAY)."""
    now = time.monotonic() if now is None else now
    name = (name or "").strip()
    shown = repr(name[:60])
    with _LOCK:
        wait = max((_THROTTLE[k].until - now for k in _keys(name, session) if k in _THROTTLE), default=0.0)
    if wait > 0:
        _log(workspace, f"refused-throttled user={shown} session={session[:12]} wait={wait:.0f}s")
        return LoginResult(False, message=f"登录失败次数过多，请在 {wait:.0f} 秒后再试。", wait=wait)
    users = _read(workspace)
    stored = (users.get(name) or {}).get("hash") or _DUMMY
    try:
        ok = _HASHER.verify(stored, password) and name in users
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    with _LOCK:
        if ok:
            for k in _keys(name, session):
                _THROTTLE.pop(k, None)
        else:
            for k in _keys(name, session):
                t = _THROTTLE.setdefault(k, _Throttle())
                t.failures += 1
                t.until = now + min(MAX_DELAY, _first_delay() * 2.0 ** (t.failures - 1))
    _log(workspace, f"{'ok' if ok else 'failed'} user={shown} session={session[:12]}")
    if ok:
        return LoginResult(True, user=name)
    return LoginResult(False, message="用户名或密码不正确。")


def _first_delay() -> float:
    try:
        return max(0.5, float(os.environ.get(DELAY_ENV) or 1.0))
    except ValueError:
        return 1.0


def reset_throttle() -> None:
    """Forget every slowdown (tests)."""
    with _LOCK:
        _THROTTLE.clear()
