"""The app's side of the workspace. The folder itself — documents, curation, builds, the checks an upload
goes through and the name it is stored under — is graph/curation/workspace.py's, shared with `tracegraph
curate`. Here: the upload size the app accepts, one lock so that uploads from the browser tabs one
Streamlit process serves do not interleave, and the team's curation log when the app runs on a shared Neo4j."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from tracegraph.graph.curation.log import DecisionLog
from tracegraph.graph.curation.workspace import UploadResult, Workspace
from tracegraph.graph.curation.workspace_files import workspace_root

__all__ = ["ARCHIVE_ENV", "MAX_UPLOAD_BYTES", "NO_LOGIN_ENV", "add_upload", "open_workspace", "team_log",
           "workspace_root"]

NO_LOGIN_ENV = "TRACEGRAPH_NO_LOGIN"  # `tracegraph app --no-login`: no login form even when accounts exist
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # as server.maxUploadSize in .streamlit/config.toml

_LOCK = threading.Lock()


def open_workspace(root: str | Path | None = None, user: str | None = None) -> Workspace:
    """The app's workspace: `root`, else $TRACEGRAPH_WORKSPACE, else ./workspace. It holds the registry and
    curation databases open: use it as a context manager (the app opens one per run). `user` is the logged-in
    account, recorded as the one who uploaded or curated. With a shared Neo4j ($TRACEGRAPH_NEO4J_URI) the
    decisions go to the team's log on that server, so every analyst sees them at once."""
    return Workspace(root, user=user, max_bytes=MAX_UPLOAD_BYTES, decision_log=team_log())


NEO4J_URI_ENV = "TRACEGRAPH_NEO4J_URI"
ARCHIVE_ENV = "TRACEGRAPH_ARCHIVE"  # `tracegraph app --archive`: the archive file the app answers from
_TEAM_LOGS: dict[tuple[str, str, str], DecisionLog] = {}
_TEAM_LOCK = threading.Lock()


def team_log() -> DecisionLog | None:
    """The team's curation log on $TRACEGRAPH_NEO4J_URI (NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE), one per
    process and server (its driver is thread-safe and lives as long as the app); None without a server."""
    uri = os.environ.get(NEO4J_URI_ENV)
    if not uri:
        return None
    from tracegraph.graph.stores.factory import neo4j_credentials

    user, password, database = neo4j_credentials()
    key = (uri, user, database)
    with _TEAM_LOCK:
        if key not in _TEAM_LOGS:
            from tracegraph.graph.stores.neo4j_curation import Neo4jDecisionLog

            _TEAM_LOGS[key] = Neo4jDecisionLog.connect(uri, user, password, database)
        return _TEAM_LOGS[key]


def add_upload(ws: Workspace, name: str, data: bytes) -> UploadResult:
    """Import and build one uploaded file, one upload at a time in this process."""
    with _LOCK:
        return ws.add_upload(name, data)
