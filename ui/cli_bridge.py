"""The running app answers the command line's reports (crm_metrics/remote.py says why and how): a route beside
Streamlit's own, guarded by the secret the app writes beside the database on start."""

from __future__ import annotations

import atexit
import hmac
import os
import secrets
from contextlib import suppress

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

import crm_metrics
from crm_metrics import db, remote


def open_bridge(url: str):
    """Announce the app for the database it serves (``CRM_DB``, else data/crm.duckdb) and return the route that
    answers reports; the runtime file goes when the process ends."""
    database = db.default_path().resolve()
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


def _run(database: str, name: str, as_of, options: dict) -> bytes:
    # the app's process holds the file: a connection of its own shares the same database instance
    con = db.connect(database)
    try:
        return remote.to_arrow(crm_metrics.report(con, name, as_of=as_of, **options))
    finally:
        con.close()
