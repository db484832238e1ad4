"""tracegraph — the Streamlit app (run with `tracegraph app`). Thin: the frame is ui/shell.py, each view
is a module in ui/views/."""

from tracegraph.ui.shell import run

run()
