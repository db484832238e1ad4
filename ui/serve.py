"""``python -m tracegraph.ui.serve <streamlit run arguments>``: Streamlit's own ``streamlit run``, with the
workspace's graph read — and the 总览's answers computed — while the server starts, in the server process
itself. Streamlit runs the app's code only when a browser opens a page, so without this the first analyst
to open a workspace of a thousand documents would wait for all of it to be read. A failure here is only
printed: the page then reads the graph itself, as it always could."""

from __future__ import annotations

import sys
import threading
import time


def warm() -> None:
    t0 = time.perf_counter()
    try:
        from tracegraph.ui.shell import warm_up

        what = warm_up()
        # Streamlit looks at the call stack once, on the first element a process draws (is it a REPL?); the
        # first look maps every loaded module's file (0.3 s at this size) — done here, not in a page
        import inspect

        inspect.stack()
    except Exception as exc:  # never take the server down: the first page load reads the graph instead
        print(f"预加载工作区图谱失败（打开页面时再读取）：{type(exc).__name__}: {exc}", file=sys.stderr)
        return
    print(f"已预加载工作区图谱（{what}，{time.perf_counter() - t0:.1f} 秒）", file=sys.stderr)


def main() -> None:
    threading.Thread(target=warm, name="tracegraph-warm-up", daemon=True).start()
    from streamlit.web import cli as streamlit_cli

    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(streamlit_cli.main())


if __name__ == "__main__":
    main()
