"""What an analyst types and what stamps it: cleaned, bounded text, the user name and the time.

Kept apart because the store, the anchors, the workspace and the UI all take user input and must
clean it the same way (control characters out, a length cap, never None)."""

from __future__ import annotations

import getpass
import re
from datetime import UTC, datetime
from typing import Any

from tracegraph.errors import CurationError

COMMENT_CHARS = 2000
TITLE_CHARS = 300
USER_CHARS = 80


def default_user() -> str:
    """The OS login name; some containers have none, and curation must still work there."""
    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError, ImportError):
        return "unknown"


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")


def clean_text(value: Any, limit: int, what: str, required: bool = False) -> str:
    """User-typed text for the store: control characters removed, length bounded, never None."""
    s = _CONTROL.sub("", str(value or "")).strip()
    if required and not s:
        raise CurationError(f"{what}不能为空")
    if len(s) > limit:
        raise CurationError(f"{what}过长（{len(s)} 字，上限 {limit} 字）")
    return s
