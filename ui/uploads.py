"""Uploaded files on the server: each upload written to a private temporary folder (the import reads files, not
memory), a .gz unpacked once beside it, and folders of sessions that ended without a word swept after a day."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
from contextlib import suppress
from pathlib import Path

from crm_metrics.importing import files

UPLOAD_TTL_SECONDS = 24 * 3600


def upload_root() -> Path:
    """This process's folder of uploaded files (removed when the process exits normally)."""
    root = Path(tempfile.gettempdir()) / f"crm-uploads-{os.getpid()}"
    if not root.exists():
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        atexit.register(shutil.rmtree, root, True)
    return root


def copy_upload(data: bytes, name: str, workdir: Path | None = None, *, now: float | None = None) -> Path:
    """Write uploaded bytes to a private temporary file (the import reads files, not memory).

    A browser session can end without a word, leaving its upload behind: every new upload first
    removes those older than :data:`UPLOAD_TTL_SECONDS`.
    """
    if workdir is None:
        root = upload_root()
        sweep_uploads(root, now=now)
        files.sweep_work_folders(now=now)
        workdir = Path(tempfile.mkdtemp(prefix="upload-", dir=root))
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in os.path.basename(name))[:100] or "upload.csv"
    target = Path(workdir) / safe
    target.write_bytes(data)
    return target


def sweep_uploads(root: Path, *, now: float | None = None) -> int:
    """Remove upload folders untouched for longer than the TTL, under ``root`` and under the roots of
    other server processes beside it (one that crashed never ran its exit clean-up); how many."""
    cutoff = (time.time() if now is None else now) - UPLOAD_TTL_SECONDS
    removed = 0
    for folder in root.parent.glob("crm-uploads-*/upload-*"):
        with suppress(OSError):
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
    return removed


def remove_upload(path: Path) -> None:
    shutil.rmtree(path.parent, ignore_errors=True)


def readable_upload(path: Path, name: str) -> Path:
    """The stored upload as text to read: a .gz unpacked once beside it (``unpacked.csv``, kept with the upload
    and removed with it), so that the proposal and preview a page draws on every rerun do not unpack it again.
    The import itself is given the upload as the user gave it (the ledger knows files by those bytes).

    Raises
    ------
    ImportRejected
        a truncated or damaged gzip file, or one that unpacks beyond the limit, named.
    """
    with path.open("rb") as fh:
        if fh.read(2) != b"\x1f\x8b":
            return path
    target = path.parent / "unpacked.csv"
    if not target.exists():
        try:
            files._gunzip(path, path.parent, name).rename(target)
        finally:
            (path.parent / "decompressed.csv").unlink(missing_ok=True)
    return target
