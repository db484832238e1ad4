"""How long the app takes to show its 总览 in a real (headless Debian) Chromium, plus the helpers the browser
test shares: start `tracegraph app` on a free loopback port, launch Chromium offline, record requests.

    python -m tools.bench.app_render WORKSPACE_DIR
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def chromium_path() -> str | None:
    """Debian's chromium (never a downloaded browser build)."""
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return shutil.which("chromium")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tracegraph_command() -> list[str]:
    exe = Path(sys.executable).parent / "tracegraph"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "cli"]


@contextlib.contextmanager
def running_app(
    workspace: str | Path, port: int | None = None, log: str | Path | None = None, timeout: float = 90.0,
    extra: tuple[str, ...] = (), info: dict[str, Any] | None = None,
) -> Iterator[str]:
    """`tracegraph app --workspace … --port … <extra>` in its own process group; yields the base URL once healthy
    (and puts the server's pid in `info`)."""
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    out = open(log, "w", encoding="utf-8") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        [*tracegraph_command(), "app", "--workspace", str(workspace), "--port", str(port), *extra],
        cwd=str(ROOT),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"tracegraph app exited with {proc.returncode} (log: {log})")
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"app did not answer on {base} within {timeout:.0f}s")
            time.sleep(0.3)
        if info is not None:
            info["pid"] = proc.pid  # `tracegraph app` execs the server in the same process
        yield base
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the group we started (streamlit and its children)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)
        if out is not subprocess.DEVNULL:
            out.close()


def is_local(url: str) -> bool:
    """A request that stays on this machine (or never leaves the browser: data:, blob:, about:, file:)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome-error", "file", ""):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


class RequestLog:
    """Every request a browser context makes; non-local ones are recorded and aborted."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def attach(self, context: Any) -> None:
        context.on("request", lambda req: self.urls.append(req.url))
        context.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        url = route.request.url
        self.urls.append(url)
        if is_local(url):
            route.continue_()
        else:
            route.abort()

    def remote(self) -> list[str]:
        return sorted({u for u in self.urls if not is_local(u)})


@contextlib.contextmanager
def browser(viewport: tuple[int, int] = (1400, 1000)) -> Iterator[tuple[Any, Any, RequestLog]]:
    """(context, page, request log) in Debian's headless Chromium."""
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    if exe is None:
        raise FileNotFoundError("chromium not installed (apt-get install chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            ctx = b.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN")
            log = RequestLog()
            log.attach(ctx)
            page = ctx.new_page()
            page.on("request", lambda req: log.urls.append(req.url))
            yield ctx, page, log
        finally:
            b.close()


def wait_overview(page: Any, timeout_ms: int = 60_000) -> None:
    """The 总览 is visible: its header, the problem count, the upload box and the first table."""
    page.get_by_role("heading", name="总览", exact=True).wait_for(timeout=timeout_ms)
    page.locator('[data-testid="stMetric"]', has_text="问题").first.wait_for(timeout=timeout_ms)
    page.locator('[data-testid="stMain"] [data-testid="stFileUploader"]').wait_for(timeout=timeout_ms)
    page.locator('[data-testid="stMain"] table').first.wait_for(timeout=timeout_ms)


def first_render_seconds(workspace_dir: str | Path, include_startup: bool = False) -> float:
    """Seconds from opening the page (or from starting the server, with include_startup) until the 总览
    content is visible in headless Chromium."""
    t0 = time.perf_counter()
    with running_app(workspace_dir) as base, browser() as (_ctx, page, _log):
        t1 = time.perf_counter()
        page.goto(base + "/")
        wait_overview(page)
        t2 = time.perf_counter()
    return (t2 - t0) if include_startup else (t2 - t1)


if __name__ == "__main__":
    ws = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "workspace")
    print(f"first render: {first_render_seconds(ws):.2f} s")
