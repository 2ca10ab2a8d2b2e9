"""Command line: ``python -m crm_metrics [--db PATH] COMMAND ...``.

Exit status: 0 success, 1 input rejected (problems on stderr as ``FILE:LINE: column COL: problem``),
2 usage error (including a database another process holds open).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import inspect
import sys
from pathlib import Path

from crm_metrics import accounts, currency, db, reporting
from crm_metrics.access import ROLES
from crm_metrics.catalog import markdown_table
from crm_metrics.drivers import COMPARISONS, DRIVER_KPIS
from crm_metrics.export import FLOAT_FORMAT, public, safe_frame
from crm_metrics.importing import (
    ImportFailed,
    ImportOptions,
    ImportRejected,
    UndoRefused,
    import_file,
    ledger,
    undo_import,
)
from crm_metrics.importing.sources import import_batch, sources
from crm_metrics.periods import PRESETS
from crm_metrics.reports import REPORTS, report
from crm_metrics.sample import NotEmpty, SampleParams, load_sample, write_csvs, write_truth
from crm_metrics.schema import TABLES
from crm_metrics.targets import TARGET_KPIS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m crm_metrics", description="Analytical CRM data and reports.")
    parser.add_argument("--db", help="database file (default: $CRM_DB, then data/crm.duckdb)")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("init", help="create the database and its tables")

    sample = sub.add_parser("sample", help="generate the seeded sample data set into the database")
    sample.add_argument("--customers", type=int, default=5000)
    sample.add_argument("--seed", type=int, default=42)
    sample.add_argument("--replace", action="store_true", help="empty every table first")
    sample.add_argument("--out", help="also write the six tables as CSV files into this folder")

    imp = sub.add_parser("import", help="import CSV files: as exported by a known tool (FILE [FILE ...]: the layout "
                                        "is recognised), or into a table (TABLE FILE)")
    imp.add_argument("names", nargs="+", metavar="[TABLE] FILE",
                     help=f"a table ({', '.join(TABLES)}) and one file, or files in known layouts")
    imp.add_argument("--source", help="read the files as this source (python -m crm_metrics sources lists them)")
    imp.add_argument("--status", action="append", default=[], metavar="STATUS=AS",
                     help="what a status in the files imports as (completed, returned, cancelled or 'not an order'), "
                          "over the source's status map; repeatable")
    imp.add_argument("--delimiter", help="field separator, e.g. ';' or 'tab'")
    imp.add_argument("--decimal", choices=[".", ","], help="decimal mark of amounts")
    imp.add_argument("--encoding", help="text encoding, e.g. utf-8, cp1252, latin-1, utf-16")
    imp.add_argument("--date-format", help="strptime format of dates, e.g. %%d/%%m/%%Y")
    imp.add_argument("--map", action="append", default=[], metavar="SOURCE=TARGET",
                     help="map a file column to a canonical column ('-' skips it); repeatable")
    imp.add_argument("--wait", type=float, default=300, metavar="SECONDS",
                     help="while the dashboard holds the database the import is queued for it: how long to wait for "
                          "its result (default 300; 0 queues and returns)")

    sub.add_parser("sources", help="list the file layouts the import recognises")
    sub.add_parser("queue", help="list the imports queued for the running dashboard, and how they ended")
    sub.add_parser("imports", help="list the import ledger")
    sub.add_parser("catalog", help="print the metric catalog as the README's Markdown table")

    money = sub.add_parser("currency", help="print the currency the amounts are in, or set it (ISO code: GBP)")
    money.add_argument("code", nargs="?", help=f"one of {', '.join(sorted(currency.SYMBOLS))}")

    undo = sub.add_parser("undo", help="undo an import")
    undo.add_argument("import_id", type=int)

    users = sub.add_parser("users", help="manage the local accounts of CRM_AUTH=local (no database needed)")
    users.add_argument("--file", help="accounts file (default: $CRM_USERS, then data/users.json)")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    users_sub.add_parser("list", help="list users and their roles")
    add = users_sub.add_parser("add", help="create a user, or replace their password and role")
    add.add_argument("name")
    add.add_argument("--role", choices=list(ROLES), required=True)
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input instead of prompting")
    role = users_sub.add_parser("role", help="change a user's role")
    role.add_argument("name")
    role.add_argument("role", choices=list(ROLES))
    remove = users_sub.add_parser("remove", help="delete a user")
    remove.add_argument("name")

    rep = sub.add_parser("report", help="print a report")
    rep.add_argument("name", choices=sorted(REPORTS))
    rep.add_argument("--as-of", type=dt.date.fromisoformat, help="reporting date YYYY-MM-DD")
    rep.add_argument("--format", choices=["table", "csv", "json"], default="table")
    rep.add_argument("--time-unit", choices=["day", "week"], help="time unit of the CLV models (clv, clv-model)")
    rep.add_argument("--horizon-months", type=int, help="CLV horizon in months (clv)")
    rep.add_argument("--days", type=int, help="length of the reporting period in days, ending at --as-of "
                                              "(kpis, kpi-drivers)")
    rep.add_argument("--kpi", choices=list(DRIVER_KPIS), help="the KPI whose change is explained (kpi-drivers)")
    rep.add_argument("--compare", choices=list(COMPARISONS), help="against the previous period or a year earlier "
                                                                  "(kpi-drivers)")
    rep.add_argument("--out", help="write to this file instead of standard output")

    why = sub.add_parser("why", help="say what moved a headline KPI against the previous period or a year earlier, "
                                     "and through whom")
    why.add_argument("--kpi", choices=list(DRIVER_KPIS), default="revenue")
    why.add_argument("--compare", choices=list(COMPARISONS), default="previous")
    why.add_argument("--days", type=int, default=90, help="length of the period, ending at --as-of (default 90)")
    why.add_argument("--as-of", type=dt.date.fromisoformat, help="last day of the period (default: last order)")
    why.add_argument("--top", type=int, default=3, help="groups listed per dimension (default 3)")

    goals = sub.add_parser("targets", help="list, set, import or remove KPI targets")
    goals_sub = goals.add_subparsers(dest="targets_command", required=True)
    goals_sub.add_parser("list", help="every target")
    put = goals_sub.add_parser("set", help="set the target of a KPI over a period (ratios as fractions: 0.35)")
    put.add_argument("kpi", choices=list(TARGET_KPIS))
    put.add_argument("start", type=dt.date.fromisoformat)
    put.add_argument("end", type=dt.date.fromisoformat)
    put.add_argument("value", type=float)
    load = goals_sub.add_parser("import", help="import a CSV file with the columns kpi, period_start, period_end, "
                                               "target (all or nothing)")
    load.add_argument("file")
    drop = goals_sub.add_parser("remove", help="remove the target of a KPI over a period")
    drop.add_argument("kpi", choices=list(TARGET_KPIS))
    drop.add_argument("start", type=dt.date.fromisoformat)
    drop.add_argument("end", type=dt.date.fromisoformat)

    warn = sub.add_parser("alerts", help="check the KPI alerts (exit status 1 when one fires: for cron), or list, "
                                         "add or remove them")
    warn.add_argument("--as-of", type=dt.date.fromisoformat, help="last day checked (default: last order)")
    warn_sub = warn.add_subparsers(dest="alerts_command")
    warn_sub.add_parser("check", help="check every alert over its latest days (the default)")
    warn_sub.add_parser("list", help="every alert")
    new = warn_sub.add_parser("add", help="fire when a KPI's value (or --change) is below or above a threshold")
    new.add_argument("kpi", choices=list(TARGET_KPIS))
    side = new.add_mutually_exclusive_group(required=True)
    side.add_argument("--below", type=float, metavar="X")
    side.add_argument("--above", type=float, metavar="X")
    new.add_argument("--change", action="store_true", help="the change against the previous period instead of the "
                                                          "value (relative: -0.1 = down 10%%; ratios in points)")
    new.add_argument("--days", type=int, default=30, help="the latest days checked (default 30)")
    gone = warn_sub.add_parser("remove", help="remove an alert")
    gone.add_argument("alert_id", type=int)

    digest = sub.add_parser("digest", help="write the Overview of a period as a PDF or a static HTML file (for a cron "
                                           "job to send)")
    digest.add_argument("--period", default="last-week", choices=[p.replace("_", "-") for p in PRESETS],
                        help="a named period counted back from --as-of (default last-week)")
    digest.add_argument("--as-of", type=dt.date.fromisoformat, help="last day of data to count back from "
                                                                    "(default: the last order date)")
    digest.add_argument("--out", required=True, help="FILE.pdf or FILE.html")

    pred = sub.add_parser("predict", help="score every customer (CLV or churn) into a Parquet file, part by part")
    pred.add_argument("--out", required=True, help="the Parquet file to write")
    pred.add_argument("--model", choices=["clv", "churn"], default="clv",
                      help="clv: the clv report's columns; churn: today's active customers and churn probability")
    pred.add_argument("--as-of", type=dt.date.fromisoformat, help="calibration end YYYY-MM-DD (default: last order)")
    pred.add_argument("--parts", type=int, default=1,
                      help="score the base in this many parts (customer_key %% parts): memory for one part only")
    pred.add_argument("--fit-customers", type=int, help="fit on a systematic sample of about this many customers "
                      "when the base is larger (default 2,000,000)")
    pred.add_argument("--time-unit", choices=["day", "week"], help="time unit of the CLV models")
    pred.add_argument("--horizon-months", type=int, help="CLV horizon in months")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "users":
        return _users(args)
    if args.command == "queue":  # the queue folder, not the database (which the dashboard may hold)
        return _queue(None, args)
    if db.engine_name() == "spark":
        if args.command not in ("report", "predict"):
            print(f"error: {db.ENGINE_ENV}=spark reads the lake, where the data is managed: only `report` and "
                  "`predict` run on Spark (unset it to import into or change the embedded database)",
                  file=sys.stderr)
            return 2
        from crm_metrics import spark

        con = spark.connect()
        _layer_current(con, args.command)
        return COMMANDS[args.command](con, args)
    try:
        con = db.connect(args.db)
    except db.DatabaseInUse as exc:
        if args.command in ("report", "imports"):  # the running dashboard holds the file: it answers reports
            if args.command == "imports":
                args.name, args.format, args.out, args.as_of = "imports", "table", None, None
                args.time_unit = args.horizon_months = args.days = args.kpi = args.compare = None
            return _report_from_the_app(args, exc)
        if args.command == "import":  # queued for the running dashboard, which holds the file
            return _queue_import(args)
        print(f"error: {exc} While the dashboard runs, reports (`report NAME`, `imports`) come from it and imports "
              "are queued for it; the rest waits until it stops.", file=sys.stderr)
        return 2
    except db.DatabaseUnavailable as exc:  # damaged, not a database, not writable: said, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        cur = con.cursor()
        try:
            currency.load(cur)  # reports and sentences write amounts in the currency stored with the data
        finally:
            cur.close()
        _layer_current(con, args.command)
        return COMMANDS[args.command](con, args)
    finally:
        con.close()


# The commands that read the reporting layer outside crm_metrics.report (which brings it up to date itself).
READS_LAYER = frozenset({"predict", "why", "digest", "alerts"})


def _layer_current(con, command: str) -> None:
    """The command line is an entry point: the layer is brought up to date here, before a command reads it."""
    if command in READS_LAYER:
        cur = con.cursor()
        try:
            reporting.ensure_current(cur)
        finally:
            cur.close()


def _users(args) -> int:
    path = Path(args.file) if args.file else None
    try:
        if args.users_command == "list":
            for row in accounts.list_users(path):
                print(f"{row['user']}\t{row['role']}")
        elif args.users_command == "add":
            password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")
            accounts.add_user(args.name, args.role, password, path)
            print(f"{args.name} can now sign in as {args.role}.")
        elif args.users_command == "role":
            accounts.set_role(args.name, args.role, path)
            print(f"{args.name} is now {args.role}.")
        else:
            accounts.remove_user(args.name, path)
            print(f"{args.name} was removed.")
    except accounts.AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _init(con, args) -> int:
    print(f"Database ready: {args.db or db.default_path()}")
    return 0


def _sample(con, args) -> int:
    params = SampleParams(customers=args.customers, seed=args.seed)
    try:
        counts = load_sample(con, params, replace=args.replace)
    except NotEmpty as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("Sample loaded: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
    if args.out:
        for path in [*write_csvs(con, Path(args.out)), write_truth(params, Path(args.out))]:
            print(f"wrote {path}")
    return 0


def _import(con, args, out=None, err=None) -> int:
    """``import``; ``out`` and ``err`` (default: standard output and error) take what it says, so that the
    running dashboard can run a queued import and keep its words for the command that queued it."""
    out, err = out or sys.stdout, err or sys.stderr
    mapping = {}
    for item in args.map:
        if "=" not in item:
            print(f"error: --map takes SOURCE=TARGET, not {item!r}", file=err)
            return 2
        source, target = item.split("=", 1)
        mapping[source] = target
    delimiter = {"tab": "\t", "\\t": "\t"}.get(args.delimiter or "", args.delimiter)
    options = ImportOptions(encoding=args.encoding, delimiter=delimiter, decimal=args.decimal,
                            date_format=args.date_format, mapping=mapping)
    table, files = _table_and_files(args.names, args.source)
    missing = [f for f in files if not f.is_file()]
    if missing:
        print(f"error: no such file: {missing[0]}", file=err)
        return 2
    if table is None:
        statuses = dict(item.split("=", 1) for item in args.status if "=" in item)
        return _import_sources(con, files, args.source, options, statuses, out, err)
    path = files[0]
    try:
        result = import_file(con, table, path, options)
    except ImportRejected as exc:
        for problem in exc.problems:
            print(problem, file=err)
        print(f"{path.name}: rejected; nothing was changed.", file=err)
        return 1
    except ImportFailed as exc:
        print(f"error: {exc}", file=err)
        return 1
    print(result.summary(), file=out)
    for warning in result.warnings:
        print(f"warning: {warning}", file=out)
    return 0


def _import_sources(con, files: list[Path], source: str | None, options: ImportOptions,
                    statuses: dict[str, str], out, err) -> int:
    try:
        results = import_batch(con, files, source, options, statuses=statuses)
    except ImportRejected as exc:
        for problem in exc.problems:
            print(problem, file=err)
        print("rejected; nothing was changed (every file of the batch is left out).", file=err)
        return 1
    except (ImportFailed, KeyError, ValueError) as exc:
        print(f"error: {exc}", file=err)
        return 1 if isinstance(exc, ImportFailed) else 2
    for result in results:
        print(result.summary(), file=out)
        for warning in (w for r in result.imports for w in r.warnings):
            print(f"  warning: {warning}", file=out)
    return 0


def _import_arguments(args) -> list[str]:
    """The ``import`` command line that ``args`` came from (files as given), for a queued import."""
    arguments = ["import", *args.names]
    for flag, value in (("--source", args.source), ("--delimiter", args.delimiter), ("--decimal", args.decimal),
                        ("--encoding", args.encoding), ("--date-format", args.date_format)):
        if value is not None:
            arguments += [flag, value]
    for flag, values in (("--status", args.status), ("--map", args.map)):
        for value in values:
            arguments += [flag, value]
    return arguments


def _queue_import(args) -> int:
    """Queue the import for the running dashboard (crm_metrics/import_queue.py) and wait for what it says."""
    from crm_metrics import import_queue

    database = args.db or db.default_path()
    _, files = _table_and_files(args.names, args.source)
    missing = [f for f in files if not f.is_file()]
    if missing:
        print(f"error: no such file: {missing[0]}", file=sys.stderr)
        return 2
    job = import_queue.enqueue(database, _import_arguments(args), files, _now())
    ahead = next(j["position"] for j in import_queue.jobs(database) if j["id"] == job) - 1
    print(f"The dashboard holds the database: the import is queued for it as job {job}"
          + (f", behind {ahead} other{'s' if ahead > 1 else ''}" if ahead else "") + ".", file=sys.stderr)
    if args.wait <= 0:
        print("The `queue` command shows where it stands.", file=sys.stderr)
        return 0
    done = import_queue.wait(database, job, args.wait)
    if done is None:
        print(f"Not imported yet after {args.wait:.0f} s; it stays queued and the dashboard imports it when it can "
              "(`queue` shows where it stands).", file=sys.stderr)
        return 0
    sys.stdout.write(done["output"])
    sys.stderr.write(done["errors"])
    return int(done["status"])


def _queue(con, args) -> int:
    from crm_metrics import import_queue

    entries = import_queue.jobs(args.db or db.default_path())
    if not entries:
        print("No queued imports.")
    for job in entries:
        files = " ".join(a.rsplit("/", 1)[-1] for a in job.get("arguments", [])[1:] if a.startswith("files/"))
        state = f"queued (#{job['position']})" if job["state"] == "queued" else \
            ("imported" if job["status"] == 0 else f"refused (exit {job['status']})")
        print(f"{job['id']}  {state:14}  {files}")
    return 0


def _table_and_files(names: list[str], source: str | None) -> tuple[str | None, list[Path]]:
    """``import TABLE FILE`` names a table first (unless a file of that name is meant); otherwise every name is a
    file in a known layout."""
    if source is None and len(names) == 2 and names[0] in TABLES and not Path(names[0]).is_file():
        return names[0], [Path(names[1])]
    return None, [Path(n) for n in names]


def _sources(con, args) -> int:
    for source in sources():
        columns = ", ".join("|".join(spellings) for spellings in source.header)
        print(f"{source.name}: {source.title}\n  recognised by: {columns}\n  writes: {', '.join(source.writes)}")
        if source.statuses:
            print("  statuses: " + ", ".join(f"{k} = {v}" for k, v in source.statuses))
    return 0


def _imports(con, args) -> int:
    frame = ledger(con)
    print(frame.to_string(index=False) if len(frame) else "No imports yet.")
    return 0


def _undo(con, args) -> int:
    try:
        print(undo_import(con, args.import_id))
    except UndoRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _report_options(args) -> dict | None:
    """The report's options from the flags; None (after saying so) when the report does not take one."""
    options = {k: v for k, v in (("time_unit", args.time_unit), ("horizon_months", args.horizon_months),
                                 ("days", args.days), ("kpi", args.kpi), ("compare", args.compare))
               if v is not None}
    accepted = inspect.signature(REPORTS[args.name]).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values())
    unknown = [] if takes_any else [k for k in options if k not in accepted]
    if unknown:
        flags = ", ".join("--" + k.replace("_", "-") for k in unknown)
        print(f"error: the {args.name} report does not take {flags}", file=sys.stderr)
        return None
    return options


def _report_from_the_app(args, in_use: Exception) -> int:
    """The report as the running dashboard computes it (crm_metrics/remote.py)."""
    from crm_metrics import remote

    options = _report_options(args)
    if options is None:
        return 2
    try:
        frame = remote.ask(args.db or db.default_path(), args.name, args.as_of, **options)
    except remote.AppUnreachable as exc:
        print(f"error: {in_use} ({exc})", file=sys.stderr)
        return 2
    except (KeyError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("(the running dashboard holds the database: this report comes from it)", file=sys.stderr)
    return _print_report(frame, args)


def _report(con, args) -> int:
    options = _report_options(args)
    if options is None:
        return 2
    return _print_report(report(con, args.name, as_of=args.as_of, **options), args)


def _print_report(frame, args) -> int:
    if args.format == "csv":
        text = safe_frame(frame).to_csv(index=False, float_format=FLOAT_FORMAT)
    elif args.format == "json":
        text = frame.to_json(orient="records", date_format="iso", indent=2, double_precision=15)
    else:
        text = frame.to_string(index=False) if len(frame) else "(no rows)"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


def _predict(con, args) -> int:
    from crm_metrics import churn, clv

    if args.parts < 1 or (args.fit_customers is not None and args.fit_customers < 1000):
        print("error: --parts is at least 1 and --fit-customers at least 1,000", file=sys.stderr)
        return 2
    fit_customers = {"fit_customers": args.fit_customers} if args.fit_customers else {}
    cur = con.cursor()
    if args.model == "churn":
        result = churn.fit_whole_base(cur, args.as_of, churn.ChurnOptions(**fit_customers))
        if result is None or result.model is None:
            reasons = ["no completed orders"] if result is None else result.problems
            print("error: no churn model to score with: " + " ".join(reasons), file=sys.stderr)
            return 1
        frames, every, fitted = churn.score_parts(cur, result, args.parts), result.sample_every, result.n_fit
    else:
        chosen = {k: v for k, v in (("time_unit", args.time_unit), ("horizon_months", args.horizon_months))
                  if v is not None}
        try:
            options = clv.CLVOptions(**chosen, **fit_customers)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        fit = clv.fit_models(cur, args.as_of, None, options)
        if fit is None or not fit.usable:
            reasons = ["no completed orders"] if fit is None else fit.problems or ["the models did not converge"]
            print("error: no CLV to predict: " + " ".join(reasons), file=sys.stderr)
            return 1
        frames, every, fitted = clv.score_parts(cur, fit, args.parts), fit.sample_every, fit.bg.n_customers_
    rows = _write_parquet(frames, args.out)
    sample = "every customer" if every == 1 else f"one customer in {every}"
    print(f"{rows:,} customers scored into {args.out} in {args.parts} part(s); the {args.model} models read "
          f"{sample} and were fitted on {fitted:,}.", file=sys.stderr)
    return 0


def _write_parquet(frames, path: str) -> int:
    """Write each frame of ``frames`` to one Parquet file as it comes (one part in memory at a time)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer, rows = None, 0
    try:
        for frame in frames:
            if frame.empty:
                continue
            table = pa.Table.from_pandas(public(frame), preserve_index=False)
            writer = writer or pq.ParquetWriter(path, table.schema)
            writer.write_table(table.cast(writer.schema))
            rows += len(frame)
    finally:
        if writer is not None:
            writer.close()
    return rows


def _currency(con, args) -> int:
    if args.code:
        try:
            currency.store(con, args.code)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    print(f"Amounts are in {currency.code()} ({currency.symbol().strip()}).")
    return 0


def _catalog(con, args) -> int:
    print(markdown_table())
    return 0


def _why(con, args) -> int:
    from crm_metrics import drivers, kpis
    from crm_metrics.filters import Filters
    cur = con.cursor()
    try:
        period = kpis.default_period(cur, args.as_of, args.days)
        if period is None:
            print("No completed orders: nothing to explain.")
            return 0
        explanation, by_dimension = drivers.explain_period(cur, period, Filters(), args.kpi, args.compare)
    finally:
        cur.close()
    print(f"{period.label()}: {explanation.sentence}")
    if explanation.before is None:
        return 0
    for dimension in drivers.recorded(by_dimension):
        steps = drivers.contributions(by_dimension[dimension], args.kpi).head(args.top)
        named = ", ".join(f"{g if g is not None else '(not recorded)'} {drivers.amount_text(args.kpi, c, signed=True)}"
                          for g, c in zip(steps["grp"], steps["change"], strict=True))
        print(f"  {drivers.DRIVER_DIMENSIONS[dimension]}: {named}")
    return 0


def _digest(con, args) -> int:
    """The Overview as a document, through ``ui.report_document`` (the dashboard's own document: the command line
    reaches into the app's package here only, for its chart builders)."""
    from crm_metrics import kpis, periods
    from crm_metrics.filters import Filters
    from ui import report_document

    if Path(args.out).suffix.lower() not in (".pdf", ".html"):
        print(f"error: {args.out}: the digest is written as .pdf or .html", file=sys.stderr)
        return 2
    cur = con.cursor()
    try:
        first, last = kpis.data_span(cur)
        if last is None:
            print("error: no completed orders: nothing to report", file=sys.stderr)
            return 2
        try:
            period = periods.preset(args.period.replace("-", "_"), args.as_of or last, first)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        document = report_document.overview_document(cur, period, Filters(), _now())
    finally:
        cur.close()
    try:
        out = report_document.write(document, args.out)
    except report_document.DocumentUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{out}: the overview of {period.label()} ({out.stat().st_size / 1024:,.0f} KB)")
    return 0


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _targets(con, args) -> int:
    from crm_metrics import targets

    command = args.targets_command
    try:
        if command == "set":
            targets.set_target(con, args.kpi, args.start, args.end, args.value, _now())
        elif command == "remove":
            targets.remove_target(con, args.kpi, args.start, args.end)
        elif command == "import":
            print(f"{targets.import_targets(con, args.file, _now()):,} targets stored.")
    except targets.TargetsRejected as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        print("Nothing was stored.", file=sys.stderr)
        return 1
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if command == "list":
        cur = con.cursor()
        try:
            frame = targets.targets(cur)
        finally:
            cur.close()
        print(frame.to_string(index=False) if len(frame) else "No targets set.")
    return 0


def _alerts(con, args) -> int:
    from crm_metrics import targets

    command = args.alerts_command or "check"
    if command == "add":
        direction, threshold = ("below", args.below) if args.below is not None else ("above", args.above)
        try:
            alert_id = targets.add_alert(con, args.kpi, "change" if args.change else "value", direction, threshold,
                                         args.days, _now())
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"Alert {alert_id} added.")
        return 0
    if command == "remove":
        if not targets.remove_alert(con, args.alert_id):
            print(f"error: there is no alert {args.alert_id}", file=sys.stderr)
            return 2
        return 0
    cur = con.cursor()
    try:
        frame = targets.alerts(cur)
        if command == "list":
            print(frame.to_string(index=False) if len(frame) else "No alerts set.")
            return 0
        checked = targets.check_alerts(cur, frame, args.as_of)
    finally:
        cur.close()
    if checked.empty:
        print("No alerts set." if frame.empty else "No completed orders: nothing to check.")
        return 0
    for row in checked.itertuples():
        state = {True: "FIRED", False: "ok", None: "n/a"}[row.fired]
        print(f"{state:5}  #{row.alert_id}  {row.message}")
    return 1 if targets.fired(checked) else 0


COMMANDS = {"catalog": _catalog, "currency": _currency, "init": _init, "sample": _sample, "import": _import,
            "imports": _imports, "sources": _sources, "undo": _undo, "report": _report, "predict": _predict,
            "why": _why, "targets": _targets, "alerts": _alerts,
            "digest": _digest, "queue": _queue}

def run() -> None:
    """The ``crm-metrics`` console script."""
    sys.exit(main())


if __name__ == "__main__":
    run()
