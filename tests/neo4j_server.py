"""Start a throw-away, real Neo4j 5.26 server for tests (no Docker).

The server is the official in-process test harness (``org.neo4j.test:neo4j-harness``)
launched through ``tools/neo4j-harness/start.sh``, which fetches the jars with Maven on
first use and prints ``READY bolt://127.0.0.1:<port>`` once Bolt is up.

Typical use::

    reason = neo4j_unavailable_reason()
    if reason is None:
        with start_neo4j() as server:
            driver = GraphDatabase.driver(server.uri, auth=(server.user, server.password))

Each server gets an empty database in a private temp directory that is deleted by
:meth:`Neo4jServer.stop`. Auth is enabled: user ``neo4j`` with the password from the
``NEO4J_PASSWORD`` environment variable, or a random one when that is unset.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from types import TracebackType
from typing import NoReturn

REPO_ROOT = Path(__file__).resolve().parent.parent
HARNESS_DIR = REPO_ROOT / "tools" / "neo4j-harness"
START_SCRIPT = HARNESS_DIR / "start.sh"
NEO4J_USER = "neo4j"

# start.sh exit codes that mean "this machine cannot run the harness" rather than "it broke".
_ENVIRONMENT_EXIT_CODES = {127: "java/mvn missing or unusable", 3: "could not fetch the Neo4j jars"}

_live_servers: set[Neo4jServer] = set()


class Neo4jUnavailable(RuntimeError):
    """The harness cannot run here (missing java/mvn, jars not downloadable, ...)."""


class Neo4jStartError(RuntimeError):
    """The harness could run but the server did not come up (crash, timeout, ...)."""


def neo4j_unavailable_reason() -> str | None:
    """Return why a harness server cannot be started on this machine, or ``None`` if it can.

    Only cheap, local checks are made; a failed first download is reported later by
    :func:`start_neo4j` raising :class:`Neo4jUnavailable`.
    """
    try:
        import neo4j  # noqa: F401  (the official driver is what the tests use to talk to it)
    except ImportError:
        return "the 'neo4j' Python driver is not installed"
    if not START_SCRIPT.is_file():
        return f"{START_SCRIPT} is missing"
    if shutil.which("bash") is None:
        return "bash is not on PATH"
    if shutil.which("java") is None:
        return "java is not on PATH (need a JDK 17 or 21)"
    if not (HARNESS_DIR / "lib" / ".complete").is_file() and shutil.which("mvn") is None:
        return "mvn is not on PATH and tools/neo4j-harness/lib/ has not been populated yet"
    return None


def _free_loopback_port() -> int:
    """Ask the kernel for a currently free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_is_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    """Return True if something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


class Neo4jServer:
    """A running harness server; call :meth:`stop` (or use it as a context manager)."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        port: int,
        password: str,
        workdir: Path,
        log_path: Path,
    ) -> None:
        self.process = process
        self.port = port
        self.host = "127.0.0.1"
        self.uri = f"bolt://{self.host}:{port}"
        self.user = NEO4J_USER
        self.password = password
        self.workdir = workdir
        self.log_path = log_path
        self._ready = threading.Event()
        self._reader = threading.Thread(
            target=_pump_stdout,
            args=(process, log_path, self._ready),
            name=f"neo4j-{port}-stdout",
            daemon=True,
        )
        self._reader.start()

    @property
    def running(self) -> bool:
        """True while the server process is alive."""
        return self.process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        """Return the last ``lines`` lines of the harness output (stdout + stderr)."""
        try:
            with self.log_path.open(encoding="utf-8", errors="replace") as fh:
                return "".join(deque(fh, maxlen=lines))
        except OSError:
            return ""

    def stop(self, timeout: float = 30) -> None:
        """Shut the server down and remove its files; leaves no process behind.

        Closing stdin asks the harness to stop cleanly; after ``timeout`` seconds the
        whole process group gets SIGTERM, then SIGKILL.
        """
        proc = self.process
        if proc.stdin is not None and not proc.stdin.closed:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _signal_group(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _signal_group(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        # Anything else that was started in the session (there should be nothing) goes too.
        _signal_group(proc.pid, signal.SIGKILL)
        self._reader.join(timeout=10)  # it closes stdout at EOF
        _live_servers.discard(self)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Neo4jServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else f"exited({self.process.returncode})"
        return f"Neo4jServer(uri={self.uri!r}, user={self.user!r}, {state})"


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _pump_stdout(proc: subprocess.Popen[bytes], log_path: Path, ready: threading.Event) -> None:
    """Copy the harness' stdout into the log file and flag the READY line."""
    assert proc.stdout is not None
    with proc.stdout, log_path.open("ab") as log:
        for raw in proc.stdout:
            log.write(raw)
            log.flush()
            if raw.startswith(b"READY "):
                ready.set()


def _launch(port: int, password: str, workdir: Path, log_path: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, NEO4J_PASSWORD=password)
    with log_path.open("ab") as log:
        return subprocess.Popen(
            ["bash", str(START_SCRIPT), str(port), str(workdir / "db")],
            cwd=HARNESS_DIR,
            env=env,
            stdin=subprocess.PIPE,  # kept open: the harness exits when it closes (e.g. we die)
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=True,  # own process group, so stop() can kill all of it
        )


def start_neo4j(timeout: float = 180, *, password: str | None = None) -> Neo4jServer:
    """Start a fresh Neo4j 5.26 server on a free loopback port and wait until Bolt is up.

    ``timeout`` covers the first run's Maven download (~150 MB) as well as the JVM start
    (~7 s warm). The password is ``password``, else ``$NEO4J_PASSWORD``, else random.

    Raises :class:`Neo4jUnavailable` when the machine cannot run the harness and
    :class:`Neo4jStartError` when the server fails to come up.
    """
    reason = neo4j_unavailable_reason()
    if reason is not None:
        raise Neo4jUnavailable(reason)
    password = password or os.environ.get("NEO4J_PASSWORD") or secrets.token_urlsafe(12)
    deadline = time.monotonic() + timeout
    attempts = 3  # a port picked as free can be taken by someone else before Java binds it
    for attempt in range(1, attempts + 1):
        workdir = Path(tempfile.mkdtemp(prefix="tracegraph-neo4j-"))
        log_path = workdir / "harness.log"
        port = _free_loopback_port()
        proc = _launch(port, password, workdir, log_path)
        server = Neo4jServer(proc, port, password, workdir, log_path)
        _live_servers.add(server)
        while not server._ready.wait(0.2):
            if proc.poll() is not None or time.monotonic() > deadline:
                break
        if server._ready.is_set():
            return server

        timed_out = proc.poll() is None
        if not timed_out:
            server._reader.join(timeout=5)  # let the last output reach the log
        tail = server.log_tail()
        server.stop(timeout=5)
        code = proc.returncode
        if timed_out:
            raise Neo4jStartError(f"Neo4j did not print READY within {timeout:.0f}s; log tail:\n{tail}")
        if code in _ENVIRONMENT_EXIT_CODES:
            raise Neo4jUnavailable(f"{_ENVIRONMENT_EXIT_CODES[code]} (start.sh exit {code}):\n{tail}")
        port_clash = "already listens" in tail or "Address already in use" in tail
        if not (port_clash and attempt < attempts):
            raise Neo4jStartError(f"Neo4j harness exited with code {code}; log tail:\n{tail}")
    raise AssertionError("unreachable")


@atexit.register
def _stop_leftovers() -> None:
    for server in list(_live_servers):
        with contextlib.suppress(Exception):
            server.stop(timeout=10)


def start_or_skip() -> Neo4jServer:
    """A started harness server, or the test skipped with the reason — a failure under TRACEGRAPH_REQUIRE_NEO4J=1
    (CI: a Neo4j test that did not run is a failure)."""
    import pytest

    def unavailable(reason: str) -> NoReturn:
        if os.environ.get("TRACEGRAPH_REQUIRE_NEO4J") == "1":
            pytest.fail(f"TRACEGRAPH_REQUIRE_NEO4J=1 but the Neo4j harness is unavailable: {reason}")
        pytest.skip(f"Neo4j harness unavailable: {reason}")

    reason = neo4j_unavailable_reason()
    if reason is not None:
        unavailable(reason)
    try:
        return start_neo4j()
    except Neo4jUnavailable as exc:
        unavailable(str(exc))
