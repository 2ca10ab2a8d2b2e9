"""Reports from a database the running dashboard holds. DuckDB lets one process open a database file, so while the
app runs the command line cannot; the app answers its reports instead. On start the app writes where it listens
and a secret into a file beside the database (``crm.duckdb.app``, readable by its owner only: whoever can read it
can read the database file too); a command that finds the file in use reads it and asks the app
``GET /_crm/report/NAME`` with the secret, and gets the report back as Arrow (types intact). The endpoint only
reads: imports and other changes are for the app's pages while it runs.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pandas as pd
import pyarrow as pa

TOKEN_HEADER = "X-CRM-Token"
ROUTE = "/_crm/report/"
# report options the endpoint passes on, with how to read each from the query string
OPTIONS = {"days": int, "kpi": str, "compare": str, "time_unit": str, "horizon_months": int}


class AppUnreachable(RuntimeError):
    """The app that holds the database did not answer (the message says why)."""


def runtime_file(database: str | Path) -> Path:
    """The file beside ``database`` in which the running app says where it listens."""
    path = Path(database).resolve()
    return path.with_name(path.name + ".app")


def announce(database: str | Path, url: str, token: str, pid: int) -> Path:
    """Write the runtime file (owner-only) for the app serving ``database``."""
    target = runtime_file(database)
    target.touch(mode=0o600, exist_ok=True)
    target.chmod(0o600)
    target.write_text(json.dumps({"url": url, "token": token, "pid": pid}), encoding="utf-8")
    return target


def running_app(database: str | Path) -> dict | None:
    """What the runtime file says (url, token, pid), or None when no app announced itself for ``database``."""
    target = runtime_file(database)
    try:
        return json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def ask(database: str | Path, name: str, as_of: dt.date | None = None, **options) -> pd.DataFrame:
    """The report ``name`` as the app serving ``database`` computes it.

    Raises
    ------
    AppUnreachable
        no app announced itself for this database, or it did not answer.
    KeyError, ValueError
        the app refused the report name or an option (its message).
    """
    app = running_app(database)
    if app is None:
        raise AppUnreachable("no running dashboard announced itself for this database")
    query = {k: str(v) for k, v in options.items() if v is not None}
    if as_of is not None:
        query["as_of"] = as_of.isoformat()
    url = f"{app['url'].rstrip('/')}{ROUTE}{urllib.parse.quote(name)}?{urllib.parse.urlencode(query)}"
    request = urllib.request.Request(url, headers={TOKEN_HEADER: app["token"]})
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        message = exc.read().decode("utf-8", errors="replace")
        if exc.code == 404:
            raise KeyError(message) from exc
        if exc.code == 400:
            raise ValueError(message) from exc
        raise AppUnreachable(f"the dashboard at {app['url']} answered {exc.code}: {message}") from exc
    except OSError as exc:
        raise AppUnreachable(f"the dashboard at {app['url']} did not answer ({exc})") from exc
    return pa.ipc.open_stream(io.BytesIO(body)).read_all().to_pandas()


def parse_options(query: dict[str, str]) -> tuple[dt.date | None, dict]:
    """(as_of, options) from an endpoint's query string; ValueError for an unknown option or a bad value."""
    unknown = set(query) - set(OPTIONS) - {"as_of"}
    if unknown:
        raise ValueError(f"unknown option(s): {', '.join(sorted(unknown))}")
    as_of = dt.date.fromisoformat(query["as_of"]) if query.get("as_of") else None
    return as_of, {k: OPTIONS[k](v) for k, v in query.items() if k in OPTIONS}


def to_arrow(frame: pd.DataFrame) -> bytes:
    """A report as an Arrow stream (the endpoint's answer)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()
