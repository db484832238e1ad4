"""One SQLite file opened the way every tracegraph store needs it (WAL, busy timeout, schema check,
read-only fallback) and the translation of its failures into one clear TracegraphError line.

Shared by the curation store and the workspace registry, so both behave alike on a read-only, full,
locked or damaged disk."""

from __future__ import annotations

import errno
import os
import random
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tracegraph.errors import StorageError, TracegraphError

BUSY_TIMEOUT_S = 30.0


def storage_error(exc: BaseException, action: str, path: str | Path) -> TracegraphError:
    """One clear line for the failures a workspace really meets: read-only, full, locked, damaged."""
    msg = str(exc)
    low = msg.lower()
    code = getattr(exc, "errno", None)
    if code in (errno.EROFS, errno.EACCES, errno.EPERM) or "readonly" in low or "read-only" in low:
        why = "工作区只读（没有写入权限或磁盘以只读方式挂载）"
    elif code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or "disk is full" in low or "disk i/o" in low:
        why = "磁盘空间不足（或写入失败）"
    elif "locked" in low or "busy" in low:
        why = f"数据库正被其他程序占用（已等待 {BUSY_TIMEOUT_S:.0f} 秒）"
    elif "not a database" in low or "malformed" in low or "corrupt" in low:
        why = "数据库文件已损坏或不是 tracegraph 数据库"
    elif "unable to open" in low or code in (errno.ENOENT, errno.ENOTDIR, errno.EISDIR):
        why = "无法打开或创建文件（路径不可写或不是文件夹）"
    else:
        why = msg.splitlines()[0][:200] if msg else type(exc).__name__
    return StorageError(f"无法{action}：{why}（{path}）")


def is_full_error(exc: BaseException) -> bool:
    """ENOSPC and friends, or SQLite's words for them (it reports a full disk as full or as an I/O error)."""
    low = str(exc).lower()
    return getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or (
        "disk is full" in low or "disk i/o" in low
    )


def is_readonly_error(exc: BaseException) -> bool:
    low = str(exc).lower()
    return (
        getattr(exc, "errno", None) in (errno.EROFS, errno.EACCES, errno.EPERM)
        or "readonly" in low
        or "read-only" in low
        or "unable to open" in low
    )


@contextmanager
def _opening(path: Path) -> Iterator[None]:
    """One process at a time sets a database up (WAL switch, schema): two processes opening a new file at the same
    moment could otherwise wait on each other until the busy timeout (seen once in CI: 30 s, then an error). An
    advisory lock on the database's folder (which creates no file: a full disk stays as it was), where the platform
    has one; nothing is locked once the database is open."""
    try:
        import fcntl
    except ImportError:  # not POSIX: SQLite's own busy timeout is all there is
        yield
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:  # a folder that cannot be made or opened: the open itself will say why
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


class SqliteFile:
    """One SQLite database file opened the way every store here needs it: WAL, busy timeout, schema
    check; falls back to read-only when the file cannot be written, so reading still works."""

    def __init__(self, path: str | Path, ddl: str, schema: str, what: str) -> None:
        self.path = Path(path)
        self.what = what
        self.read_only: TracegraphError | None = None
        # Streamlit runs each rerun (and the button callbacks) on a new thread: the connection may be
        # used from several threads, one at a time.
        self.lock = threading.RLock()
        existed = self._present()
        try:
            with _opening(self.path):
                self.conn = self._open_rw(ddl, schema)
        except (sqlite3.Error, OSError) as exc:
            if is_full_error(exc):
                # A full disk: what this failed open created (an empty database, a 0-byte WAL, a 3-byte
                # -shm) is removed again, and the store is read without SQLite creating anything.
                self._remove_strays(existed)
                self.conn = self._open_full(ddl, schema, existed)
                self.read_only = storage_error(exc, f"写入{what}", self.path)
                return
            if not (is_readonly_error(exc) and self.path.is_file()):
                raise storage_error(exc, f"打开{what}", self.path) from None
            self.conn = self._open_ro(schema)  # readable but not writable: say so, whatever SQLite said
            self.read_only = StorageError(
                f"无法写入{what}：工作区只读（没有写入权限或磁盘以只读方式挂载）（{self.path}）"
            )

    _SIDE = ("", "-wal", "-shm", "-journal")

    def _present(self) -> dict[str, int]:
        """Size of the database file and its side files before we touch them (absent ones left out)."""
        out: dict[str, int] = {}
        for side in self._SIDE:
            try:
                out[side] = os.stat(f"{self.path}{side}").st_size
            except OSError:
                continue
        return out

    def _remove_strays(self, existed: dict[str, int]) -> None:
        """Remove the files a failed open on a full disk created: only those absent before and holding
        nothing (a live writer's -shm is at least 32 KB, its WAL has frames)."""
        for side, limit in (("-shm", 32768), ("-wal", 1), ("-journal", 1), ("", 1)):
            if side in existed:
                continue
            p = Path(f"{self.path}{side}")
            try:
                if p.is_file() and not p.is_symlink() and p.stat().st_size < limit:
                    p.unlink()
            except OSError:
                pass

    def _open_full(self, ddl: str, schema: str, existed: dict[str, int]) -> sqlite3.Connection:
        """Read a store on a full disk. No database yet: an empty one in memory (nothing to read, every
        write refused). A WAL with frames: read through it (its -shm exists, nothing is created). Else
        the file alone is the whole database: opened immutable, so SQLite creates no side file."""
        if "" not in existed:
            conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            for stmt in filter(None, (s.strip() for s in ddl.split(";"))):
                conn.execute(stmt)
            conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?)", (schema,))
            return conn
        modes = ("mode=ro", "immutable=1") if existed.get("-wal", 0) > 0 and "-shm" in existed else ("immutable=1",)
        return self._open_ro(schema, modes, existed)

    def _open_rw(self, ddl: str, schema: str) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise sqlite3.OperationalError("attempt to write a readonly database (WAL not available)")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            have = self._schema(conn)
            if have is None:
                conn.execute("BEGIN IMMEDIATE")
                for stmt in filter(None, (s.strip() for s in ddl.split(";"))):
                    conn.execute(stmt)
                conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?)", (schema,))
                conn.execute("COMMIT")
                have = self._schema(conn)
            if have != schema:
                raise StorageError(f"{self.path} 不是本版本的{self.what}（schema {have!r}，应为 {schema}）")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.close()
            raise
        return conn

    def _open_ro(
        self, schema: str, modes: tuple[str, ...] = ("mode=ro", "immutable=1"), existed: dict[str, int] | None = None
    ) -> sqlite3.Connection:
        last: BaseException | None = None
        for extra in modes:
            uri = f"{self.path.resolve().as_uri()}?{extra}"
            try:
                conn = sqlite3.connect(
                    uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
                )
                have = self._schema(conn)
            except sqlite3.Error as exc:
                last = exc
                if existed is not None:
                    self._remove_strays(existed)
                continue
            if have != schema:
                conn.close()
                raise StorageError(f"{self.path} 不是本版本的{self.what}（schema {have!r}，应为 {schema}）")
            return conn
        raise storage_error(last or OSError("unable to open"), f"打开{self.what}", self.path)

    @staticmethod
    def _schema(conn: sqlite3.Connection) -> str | None:
        row = conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
        if row is None:
            return None
        got = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        return got[0] if got else None

    @contextmanager
    def write(self, action: str) -> Iterator[sqlite3.Connection]:
        """One write transaction; any failure rolls back and becomes one TracegraphError line."""
        if self.read_only is not None:
            raise self.read_only
        with self.lock:
            self._begin(action)
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except TracegraphError:
                self._rollback()
                raise
            except (sqlite3.Error, OSError) as exc:
                self._rollback()
                raise storage_error(exc, action, self.path) from None
            except BaseException:
                self._rollback()
                raise

    def _begin(self, action: str) -> None:
        """Take the write lock, waiting up to BUSY_TIMEOUT_S. SQLite's own busy handler backs off to
        100 ms sleeps, so a writer in a tight loop can starve a second one; short native waits plus
        jittered retries let two writers take turns."""
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        self.conn.execute("PRAGMA busy_timeout=20")
        try:
            while True:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    low = str(exc).lower()
                    if ("locked" not in low and "busy" not in low) or time.monotonic() > deadline:
                        raise storage_error(exc, action, self.path) from None
                time.sleep(random.uniform(0.0005, 0.004))
        except sqlite3.Error as exc:
            raise storage_error(exc, action, self.path) from None
        finally:
            self.conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")

    def _rollback(self) -> None:
        try:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def read(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        try:
            with self.lock:
                cur = self.conn.execute(sql, params)
                cols = [c[0] for c in cur.description or ()]
                return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
        except sqlite3.Error as exc:
            raise storage_error(exc, f"读取{self.what}", self.path) from None

    def close(self) -> None:
        try:
            with self.lock:
                self.conn.close()
        except sqlite3.Error:
            pass
