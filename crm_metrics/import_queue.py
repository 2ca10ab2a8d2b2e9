"""Imports asked for while the dashboard holds the database: queued, not refused. The command line copies the
files into a folder beside the database (``crm.duckdb.queue/<job>/``) with the import's arguments; the running app
takes the jobs oldest first, runs each exactly as the command line would, and writes what it said and its exit
status beside it; the command waits for that and says it, or says where the job stands.

A job folder holds ``job.json`` (the arguments, the files' names in the folder) and, once run, ``result.json``
(exit status, standard output, standard error). A job is written under a temporary name and renamed into place, so
the app never reads half a job.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path

Runner = Callable[[list[str]], tuple[int, str, str]]
KEEP_DONE_SECONDS = 7 * 24 * 3600  # a finished job's result is kept a week, for `queue` to show


def queue_dir(database: str | Path) -> Path:
    path = Path(database).resolve()
    return path.with_name(path.name + ".queue")


def enqueue(database: str | Path, arguments: list[str], files: list[Path], now: dt.datetime) -> str:
    """Queue ``import`` with ``arguments`` (its own, files named as given) and copies of ``files``; the job's id."""
    root = queue_dir(database)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    job = f"{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:6]}"
    staging = root / f".{job}"
    (staging / "files").mkdir(parents=True)
    renamed = {}
    for n, source in enumerate(files):
        copy = staging / "files" / f"{n}" / source.name
        copy.parent.mkdir()
        shutil.copyfile(source, copy)
        renamed[str(source)] = str(Path("files") / f"{n}" / source.name)
    arguments = [renamed.get(a, a) for a in arguments]
    (staging / "job.json").write_text(json.dumps({"arguments": arguments, "queued_at": now.isoformat()}),
                                      encoding="utf-8")
    staging.rename(root / job)
    return job


def jobs(database: str | Path) -> list[dict]:
    """Every job, oldest first: id, state ("queued" or "done"), position among the queued (1 = next), and once
    done its exit status, output and errors."""
    root = queue_dir(database)
    found = []
    if not root.is_dir():
        return found
    position = 0
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        result = _read(folder / "result.json")
        entry = {"id": folder.name, **(_read(folder / "job.json") or {})}
        if result is None:
            position += 1
            entry.update(state="queued", position=position)
        else:
            entry.update(state="done", **result)
        found.append(entry)
    return found


def _read(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def run_pending(database: str | Path, runner: Runner) -> int:
    """Run every queued job, oldest first, with ``runner(arguments) -> (status, output, errors)`` in the job's
    folder; how many ran."""
    ran = 0
    for job in jobs(database):
        if job["state"] != "queued":
            _forget_if_old(queue_dir(database) / job["id"])
            continue
        folder = queue_dir(database) / job["id"]
        arguments = [str(folder / a) if a.startswith("files" + os.sep) else a for a in job["arguments"]]
        try:
            status, output, errors = runner(arguments)
        except Exception as exc:  # noqa: BLE001  (a job must end with a result, whatever went wrong)
            status, output, errors = 1, "", f"error: the dashboard could not run the import: {exc}"
        temporary = folder / ".result.json"
        temporary.write_text(json.dumps({"status": status, "output": output, "errors": errors}), encoding="utf-8")
        temporary.rename(folder / "result.json")
        shutil.rmtree(folder / "files", ignore_errors=True)
        ran += 1
    return ran


def _forget_if_old(folder: Path) -> None:
    try:
        if time.time() - (folder / "result.json").stat().st_mtime > KEEP_DONE_SECONDS:
            shutil.rmtree(folder, ignore_errors=True)
    except OSError:
        pass


def wait(database: str | Path, job: str, timeout: float, poll: float = 0.5) -> dict | None:
    """The job's entry once done, or None when ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while True:
        entry = next((j for j in jobs(database) if j["id"] == job), None)
        if entry is not None and entry["state"] == "done":
            return entry
        if time.monotonic() >= deadline:
            return None
        time.sleep(poll)
