"""The app's side of the workspace. The folder itself — documents, curation, builds, the checks an upload
goes through and the name it is stored under — is graph/curation/workspace.py's, shared with `tracegraph
curate`. Here: the upload size the app accepts, and one lock so that uploads from the browser tabs one
Streamlit process serves do not interleave."""

from __future__ import annotations

import threading
from pathlib import Path

from tracegraph.graph.curation.workspace import UploadResult, Workspace
from tracegraph.graph.curation.workspace_files import workspace_root

__all__ = ["MAX_UPLOAD_BYTES", "NO_LOGIN_ENV", "add_upload", "open_workspace", "workspace_root"]

NO_LOGIN_ENV = "TRACEGRAPH_NO_LOGIN"  # `tracegraph app --no-login`: no login form even when accounts exist
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # as server.maxUploadSize in .streamlit/config.toml

_LOCK = threading.Lock()


def open_workspace(root: str | Path | None = None, user: str | None = None) -> Workspace:
    """The app's workspace: `root`, else $TRACEGRAPH_WORKSPACE, else ./workspace. It holds the registry and
    curation databases open: use it as a context manager (the app opens one per run). `user` is the logged-in
    account, recorded as the one who uploaded or curated."""
    return Workspace(root, user=user, max_bytes=MAX_UPLOAD_BYTES)


def add_upload(ws: Workspace, name: str, data: bytes) -> UploadResult:
    """Import and build one uploaded file, one upload at a time in this process."""
    with _LOCK:
        return ws.add_upload(name, data)
