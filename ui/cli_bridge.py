"""The running app answers the command line: its reports through a route beside Streamlit's own, guarded by the
secret the app writes beside the database on start (crm_metrics/remote.py), and its imports through the queue
folder beside the database, which a thread of the app empties (crm_metrics/import_queue.py)."""

from __future__ import annotations

import atexit
import hmac
import io
import logging
import os
import secrets
import threading
import time
from contextlib import suppress

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

import crm_metrics
from crm_metrics import db, import_queue, remote

QUEUE_POLL_SECONDS = 1.0


def open_bridge(url: str):
    """Announce the app for the database it serves (``CRM_DB``, else data/crm.duckdb), start taking the imports
    queued for it, and return the route that answers reports; the runtime file goes when the process ends."""
    database = db.default_path().resolve()
    threading.Thread(target=_take_queued_imports, args=(str(database),), name="import-queue", daemon=True).start()
    token = secrets.token_urlsafe(32)
    written = remote.announce(database, url, token, os.getpid())

    def forget() -> None:
        with suppress(OSError):
            if remote.running_app(database) and remote.running_app(database).get("pid") == os.getpid():
                written.unlink()

    atexit.register(forget)

    async def answer(request: Request) -> Response:
        if not hmac.compare_digest(request.headers.get(remote.TOKEN_HEADER, ""), token):
            return PlainTextResponse("forbidden", status_code=403)
        name = request.path_params["name"]
        if name not in crm_metrics.REPORTS:
            return PlainTextResponse(f"unknown report {name!r}; available: {', '.join(sorted(crm_metrics.REPORTS))}",
                                     status_code=404)
        try:
            as_of, options = remote.parse_options(dict(request.query_params))
            body = await run_in_threadpool(_run, str(database), name, as_of, options)
        except (ValueError, TypeError) as problem:
            return PlainTextResponse(str(problem), status_code=400)
        return Response(body, media_type="application/vnd.apache.arrow.stream")

    return Route(remote.ROUTE + "{name}", answer, methods=["GET"])


def _take_queued_imports(database: str) -> None:
    """Run the imports the command line queued (crm_metrics/import_queue.py), as they come, for as long as the app
    runs; a job that fails says why in its result, and the next one runs."""
    log = logging.getLogger("crm_metrics.import_queue")
    while True:
        try:
            if import_queue.run_pending(database, lambda arguments: _import(database, arguments)):
                log.info("ran the queued imports of %s", database)
        except Exception:  # noqa: BLE001  (the watcher must outlive a bad folder; the log says what happened)
            log.exception("the import queue of %s could not be read", database)
        time.sleep(QUEUE_POLL_SECONDS)


def _import(database: str, arguments: list[str]) -> tuple[int, str, str]:
    """Run ``import ...`` as the command line would, on this process's database instance."""
    from crm_metrics.__main__ import _import as import_command
    from crm_metrics.__main__ import build_parser

    args = build_parser().parse_args(["--db", database, *arguments])
    out, err = io.StringIO(), io.StringIO()
    con = db.connect(database)
    try:
        status = import_command(con, args, out, err)
    finally:
        con.close()
    return status, out.getvalue(), err.getvalue()


def _run(database: str, name: str, as_of, options: dict) -> bytes:
    # the app's process holds the file: a connection of its own shares the same database instance
    con = db.connect(database)
    try:
        return remote.to_arrow(crm_metrics.report(con, name, as_of=as_of, **options))
    finally:
        con.close()
