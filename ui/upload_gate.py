"""Which sessions may send files to the server at all.

Streamlit accepts an upload (``PUT /_stcore/upload_file/<session>/<file>``) from any live session, whether or not
the page drew an uploader for it, and keeps the bytes in memory for the session's life: before sign-in, anyone
reaching the server could fill its memory. The router notes on every run whether the session may import
(:func:`note`); ``ui.serve`` hands Streamlit's upload route a runtime whose sessions are live for uploads only
when noted so (:class:`GatedRuntime`), so that everyone else's upload is refused before its body is read.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_may_upload: set[str] = set()


def note(session_id: str, may_import: bool) -> None:
    """Record whether the session may upload (it may import), on each run of the router."""
    with _lock:
        if may_import:
            _may_upload.add(session_id)
        else:
            _may_upload.discard(session_id)


def may_upload(session_id: str) -> bool:
    with _lock:
        return session_id in _may_upload


class GatedRuntime:
    """The Streamlit runtime as the upload route sees it: a session is live only while it may upload."""

    def __init__(self, runtime) -> None:
        self._runtime = runtime

    def is_active_session(self, session_id: str) -> bool:
        # an id is never forgotten here: a session whose websocket is reconnecting looks inactive for a moment,
        # and forgetting it would refuse its next upload until its next run (a few bytes per ended session)
        return self._runtime.is_active_session(session_id) and may_upload(session_id)

    def __getattr__(self, name: str):
        return getattr(self._runtime, name)
