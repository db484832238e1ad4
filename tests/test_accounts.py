"""App accounts (ui/accounts.py) and their CLI: `tracegraph users add/remove/list` with the password from the
environment or a prompt (never argv), argon2 hashes in the workspace's users.json, the slowdown of failed
logins, and `tracegraph app` refusing to listen beyond loopback without an account unless --no-login."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from tracegraph.cli.main import main
from tracegraph.ui import accounts

PASSWORD = "correct horse 电池"


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    accounts.reset_throttle()


def test_users_add_list_remove_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(accounts.PASSWORD_ENV, PASSWORD)
    assert main(["users", "add", "张三", "--workspace", str(tmp_path)]) == 0
    assert main(["users", "add", "li.si", "--workspace", str(tmp_path)]) == 0
    assert "已添加账户：张三" in capsys.readouterr().out
    stored = (tmp_path / accounts.USERS_FILE).read_text(encoding="utf-8")
    assert PASSWORD not in stored and "$argon2id$" in stored  # only the hash
    assert stat.S_IMODE(os.stat(tmp_path / accounts.USERS_FILE).st_mode) == 0o600
    assert main(["users", "list", "--workspace", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.index("li.si") < out.index("张三") and "$argon2" not in out
    monkeypatch.setenv(accounts.PASSWORD_ENV, "a new password")
    assert main(["users", "add", "张三", "--workspace", str(tmp_path)]) == 0
    assert "已重设密码：张三" in capsys.readouterr().out
    assert accounts.login(tmp_path, "张三", "a new password", "s1").ok
    assert main(["users", "remove", "张三", "--workspace", str(tmp_path)]) == 0
    assert [n for n, _ in accounts.list_users(tmp_path)] == ["li.si"]
    assert main(["users", "remove", "张三", "--workspace", str(tmp_path)]) != 0  # no such account
    assert "没有账户 张三" in capsys.readouterr().err


def test_users_add_refuses_short_passwords_bad_names_and_no_password(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(accounts.PASSWORD_ENV, "short")
    assert main(["users", "add", "张三", "--workspace", str(tmp_path)]) != 0
    assert "密码至少" in capsys.readouterr().err
    monkeypatch.setenv(accounts.PASSWORD_ENV, PASSWORD)
    assert main(["users", "add", "a b/c", "--workspace", str(tmp_path)]) != 0
    monkeypatch.delenv(accounts.PASSWORD_ENV)
    monkeypatch.setattr("sys.stdin", open(os.devnull))  # not a terminal: no prompt possible
    assert main(["users", "add", "张三", "--workspace", str(tmp_path)]) != 0
    assert "TRACEGRAPH_PASSWORD" in capsys.readouterr().err
    assert not accounts.has_accounts(tmp_path)


def test_users_add_reads_the_password_from_a_prompt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import getpass

    monkeypatch.delenv(accounts.PASSWORD_ENV, raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    assert main(["users", "add", "王五", "--workspace", str(tmp_path)]) == 0
    assert accounts.login(tmp_path, "王五", PASSWORD, "s").ok
    answers = iter([PASSWORD, "something else"])
    assert main(["users", "add", "王五", "--workspace", str(tmp_path)]) != 0  # the two entries differ


def test_failed_logins_are_slowed_down_per_user_and_session_and_logged(tmp_path: Path) -> None:
    accounts.add_user(tmp_path, "张三", PASSWORD)
    assert not accounts.login(tmp_path, "张三", "wrong", "sess-a", now=100.0).ok
    # within the first second: refused without checking, even the right password, from any session
    r = accounts.login(tmp_path, "张三", PASSWORD, "sess-b", now=100.5)
    assert not r.ok and r.wait > 0 and "秒后再试" in r.message
    assert accounts.login(tmp_path, "张三", PASSWORD, "sess-b", now=101.1).ok  # after it: fine, and forgiven
    # the session is slowed down too, whatever name it tries; each failure doubles the wait
    t = last = 200.0
    for i in range(4):  # each try just after the previous wait: 1, 2, 4, then 8 s
        assert not accounts.login(tmp_path, f"guess{i}", "x", "sess-c", now=t).ok
        last, t = t, t + 2.0 ** i + 0.01
    assert not accounts.login(tmp_path, "张三", PASSWORD, "sess-c", now=last + 7.9).ok
    assert accounts.login(tmp_path, "张三", PASSWORD, "sess-c", now=last + 8.1).ok
    log = (tmp_path / accounts.LOG_FILE).read_text(encoding="utf-8")
    assert "failed user='张三' session=sess-a" in log and "refused-throttled user='张三'" in log
    assert "ok user='张三'" in log and PASSWORD not in log and "wrong" not in log
    assert not accounts.login(tmp_path, "nobody", PASSWORD, "sess-d").ok  # unknown names fail the same way


def test_a_damaged_users_file_is_a_clear_error(tmp_path: Path) -> None:
    from tracegraph.errors import ConfigError

    (tmp_path / accounts.USERS_FILE).write_text(json.dumps({"users": []}), encoding="utf-8")
    with pytest.raises(ConfigError, match="格式不对"):
        accounts.has_accounts(tmp_path)


def _exec_capture(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def fake_execve(path: str, argv: list[str], env: dict[str, str]) -> None:
        seen.update(path=path, argv=argv, env=env)

    monkeypatch.setattr(os, "execve", fake_execve)
    monkeypatch.setattr(os, "chdir", lambda p: None)
    return seen


def test_app_beyond_loopback_needs_an_account_or_no_login(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    seen = _exec_capture(monkeypatch)
    ws = str(tmp_path / "ws")
    assert main(["app", "--workspace", ws, "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "没有任何账户" in err and "tracegraph users add" in err and "--no-login" in err
    assert not seen  # nothing was started

    assert main(["app", "--workspace", ws, "--host", "0.0.0.0", "--no-login"]) == 0
    assert "--no-login" in capsys.readouterr().err  # the warning
    assert seen["env"]["TRACEGRAPH_NO_LOGIN"] == "1" and "0.0.0.0" in seen["argv"]
    seen.clear()

    accounts.add_user(ws, "张三", PASSWORD)
    assert main(["app", "--workspace", ws, "--host", "0.0.0.0"]) == 0
    assert "要求登录" in capsys.readouterr().err
    assert "TRACEGRAPH_NO_LOGIN" not in seen["env"]
    seen.clear()
    assert main(["app", "--workspace", str(tmp_path / "other")]) == 0  # loopback: no account needed
    assert seen["argv"][seen["argv"].index("--server.address") + 1] == "127.0.0.1"
