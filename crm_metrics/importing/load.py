"""Typing, validation and merge: a file read strictly, every value checked, merged in one transaction."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from crm_metrics import db
from crm_metrics.access import LOCAL_ADMIN, Principal, require
from crm_metrics.importing.files import (
    _blank_lines,
    _check_bytes,
    _not_csv_problem,
    _readable,
    _utf8_lf,
    scan_file,
    sweep_work_folders,
)
from crm_metrics.importing.model import (
    MAX_LINE_BYTES,
    MAX_PROBLEMS,
    FileFacts,
    ImportFailed,
    ImportOptions,
    ImportRejected,
    ImportResult,
    Problem,
    Progress,
    Proposal,
    _table,
)
from crm_metrics.importing.proposal import _NULLS, _example, _propose
from crm_metrics.schema import TABLES, Reference, Table

# --------------------------------------------------------------------------------------------------
# 3. Import


def min_free_bytes() -> int:
    """Free disk space below which imports are refused (CRM_MIN_FREE_MB, default 512 MB)."""
    return int(float(os.environ.get("CRM_MIN_FREE_MB") or 512) * 1024 * 1024)


def database_folder(con) -> Path | None:
    """The folder of the database file (None for an in-memory database)."""
    cur = con.cursor()
    try:
        path = db.scalar(cur, "database_path")
    finally:
        cur.close()
    return Path(path).resolve().parent if path else None


def database_file_problem(con) -> str | None:
    """Why an import must not start because the database file is no longer where the connection opened it
    (deleted or replaced under the running app: what the import wrote would go to a file nobody can open
    again, and the import would report a success that is gone at the next start), or None."""
    cur = con.cursor()
    try:
        path = db.scalar(cur, "database_path")
    finally:
        cur.close()
    if not path or os.path.exists(path):
        return None
    return (f"The database file {path} was removed or moved while the app was running, so nothing imported now "
            "would be kept. Restart the app (or the command) to open the database again: nothing was changed.")


def free_space_problem(con, incoming_bytes: int = 0) -> str | None:
    """Why an import must not start for lack of disk space, or None. An import needs the minimum
    (:func:`min_free_bytes`) and room for the file's rows on top: its staged copy spills beside the
    database, and the rows it writes are of the same order as the file."""
    needed = min_free_bytes() + incoming_bytes
    places = [("the database", database_folder(con)),
              ("the temporary folder, where uploads are kept and .gz files unpacked", Path(tempfile.gettempdir()))]
    for what, folder in places:
        if folder is None:
            continue
        free = shutil.disk_usage(folder).free
        if free < needed:
            return (f"Only {free / 1024**2:,.0f} MB are free on the disk that holds {what} ({folder}); an import "
                    f"of this file needs at least {needed / 1024**2:,.0f} MB (CRM_MIN_FREE_MB sets the reserve). "
                    "Free some space and try again: nothing was changed.")
    return None


def _disk_full(exc: Exception) -> bool:
    text = str(exc).lower()
    return "no space left" in text or "disk is full" in text or "disk full" in text


def import_file(con, table: str, path: Path | str, options: ImportOptions | None = None, *,
                file_name: str | None = None, imported_by: str | None = None,
                progress: Progress | None = None, actor: Principal = LOCAL_ADMIN) -> ImportResult:
    """Import one CSV file into ``table``; all or nothing. ``actor`` must be allowed to import; the
    ledger records ``imported_by`` (default: the actor's name).

    Raises
    ------
    AccessDenied
        when ``actor``'s role may not import; nothing was read or changed.
    ImportRejected
        with every problem found (at most 100); no table was changed.
    """
    require(actor, "import")
    imported_by = imported_by or actor.user
    path = Path(path)
    name = file_name or path.name
    options = options or ImportOptions()
    spec = _table(table)
    report = progress or (lambda step, fraction: None)
    sweep_work_folders()  # what imports killed before their clean-up left behind
    with tempfile.TemporaryDirectory(prefix="crm-import-") as tmp:
        workdir = Path(tmp)
        report("Reading the file", 0.05)
        source, facts, sha256 = _readable(path, workdir, name)
        problem = _not_csv_problem(name, facts)
        if problem:
            raise ImportRejected([problem])
        proposal = _propose(source, facts, table, name, options)
        if proposal.problems:
            raise ImportRejected(proposal.problems)
        confirm = proposal.needs_confirmation
        if confirm:
            raise ImportRejected([Problem(name, None, None, None,
                                          f"please confirm: {c.text} (CLI: {CLI_FLAGS[c.setting]})")
                                  for c in confirm])
        chosen = proposal.options
        _check_bytes(name, facts, chosen.encoding)
        csv_path = _utf8_lf(source, facts, chosen.encoding, workdir)
        if csv_path != source:
            facts = scan_file(csv_path)
        with db.WRITE_LOCK:
            existing = _already_imported(con, sha256, table)
            if existing is not None:
                return ImportResult(existing[0], table, name, 0, already_imported_at=existing[1])
            room = free_space_problem(con, facts.size) or database_file_problem(con)
            if room:
                raise ImportFailed(room)
            report("Loading into a staging table", 0.2)
            try:
                return _load_and_merge(_Job(con, spec, csv_path, facts, name, proposal, chosen, sha256, imported_by,
                                            report))
            except duckdb.Error as exc:
                if _disk_full(exc):
                    raise ImportFailed(
                        f"The disk that holds the database filled up while {name} was being written; the import "
                        "was rolled back and the data stored before it is intact. Free some space and import "
                        "again.") from exc
                raise


# The command line's flag that confirms each setting of a Confirmation.
CLI_FLAGS = {"encoding": "--encoding", "delimiter": "--delimiter", "decimal": "--decimal ,",
             "date_format": "--date-format"}


def _already_imported(con, sha256: str, table: str):
    cur = con.cursor()
    try:
        rows = db.run(cur, "ledger_by_hash", {"sha256": sha256, "table_name": table}).fetchall()
    finally:
        cur.close()
    return rows[0] if rows else None


@dataclass(frozen=True)
class _Source:
    """The file being imported: its name for messages, the UTF-8 copy read, and the chosen dialect."""

    name: str
    path: Path
    options: ImportOptions
    line_per_record: bool = False  # no blank line and no line break inside a value: line = record + 2

    def lines_of(self, ordinals: set[int]) -> dict[int, int]:
        """The physical line where each data record (numbered from 0) starts."""
        if self.line_per_record:
            return {o: o + 2 for o in ordinals}
        return _locate(self.path, self.options, ordinals=ordinals)[1]


class _TakeExactPath(Exception):
    """The direct read met something it does not explain (a reject, a bad value, a duplicate key, a line
    count that differs): the import starts again on the exact path, which names every problem."""


@dataclass(frozen=True)
class _Job:
    """One file's import, as the steps after the proposal see it."""

    con: object
    spec: Table
    csv_path: Path  # the UTF-8 text read (the user's file, or its unpacked, re-encoded copy)
    facts: FileFacts
    name: str  # the file's name as the user gave it, in problems and the ledger
    proposal: Proposal
    chosen: ImportOptions
    sha256: str  # of the bytes the user gave: the ledger knows files by it
    imported_by: str | None
    report: Progress

    @property
    def columns(self) -> dict[str, str]:
        """The staged columns: our canonical names, ``_skip<i>`` for a file column not imported."""
        return {(m if m else f"_skip{i}"): "VARCHAR" for i, m in enumerate(self.proposal.mapping)}


def _load_and_merge(job: _Job) -> ImportResult:
    """Type the file, check it, and write it in one transaction.

    The direct path types the file where it lies (no all-text copy of it); a clean file, which every
    column of the table names, is written from there. Anything to explain sends the import to the exact
    path, which stages the text first so that each problem can quote its value and line.
    """
    if set(job.spec.column_names) <= set(job.columns):
        try:
            return _write(job, direct=True)
        except _TakeExactPath:
            job.report("Looking closer at the file", 0.3)
    return _write(job, direct=False)


def _write(job: _Job, *, direct: bool) -> ImportResult:
    con, spec, columns, csv_path, facts, name = job.con, job.spec, job.columns, job.csv_path, job.facts, job.name
    proposal, chosen, sha256, imported_by, report = job.proposal, job.chosen, job.sha256, job.imported_by, job.report
    with db.transaction(con) as cur:
        stage = {"path": str(csv_path), "columns": columns, "delimiter": chosen.delimiter,
                 "max_line_size": MAX_LINE_BYTES + 2}
        typing = {"date_format": chosen.date_format or "%Y-%m-%d", "decimal": chosen.decimal, "ascii": facts.ascii,
                  "plain": facts.ascii and not facts.blank_edges}
        if direct:
            rows = _type_directly(cur, spec, stage, typing, facts, report)
        else:
            rows = _stage_then_type(cur, spec, stage, typing, facts, name, csv_path, chosen, proposal, report)
        if rows == 0:  # a ledger entry of nothing would only clutter the history and the undo list
            raise ImportRejected([Problem(name, None, None, None, "has a header but no rows: nothing to import")])
        src = _Source(name, csv_path, chosen, line_per_record=rows == facts.lines - 1)
        problems = _problems(cur, spec, src, proposal, direct)
        if problems:
            raise ImportRejected(problems)
        warnings = list(proposal.warnings) + _rule_warnings(cur, spec, src) + _id_warnings(cur, spec, columns, facts)
        report("Writing the rows", 0.7)
        import_id = db.scalar(cur, "next_import_id")
        created = _create_referenced(cur, spec, import_id)
        if created:
            warnings.append(f"{created:,} customer ids were not in customers; a minimal customer row was "
                            "created for each")
        warnings += _unknown_reference_warnings(cur, spec, src)
        kept = _absent_columns(spec, proposal)
        _incoming_rows(cur, spec, kept)
        updated, unchanged = db.run(cur, "merge_import", {"import_id": import_id}, idents={
            "table": spec.name, "history": f"{spec.name}_history", "key": spec.key,
            "columns": spec.column_names}).fetchall()[0]
        result = ImportResult(import_id, spec.name, name, rows, rows - updated - unchanged, updated, unchanged,
                              created, warnings, kept_columns=kept if updated + unchanged else [])
        db.execute(cur, "insert_ledger", {
            "import_id": import_id, "table_name": spec.name, "file_name": name, "file_sha256": sha256,
            "imported_at": dt.datetime.now(dt.UTC).replace(tzinfo=None), "imported_by": imported_by,
            "rows_in_file": rows, "rows_inserted": result.inserted, "rows_updated": updated,
            "rows_unchanged": unchanged, "customers_created": created,
            "options": json.dumps({"encoding": chosen.encoding, "delimiter": chosen.delimiter,
                                   "decimal": chosen.decimal, "date_format": chosen.date_format}),
            "warnings": json.dumps(warnings)})
        report("Saving", 0.9)
    report("Writing the database file", 0.95)  # committed: the rows are in the write-ahead log
    try:
        db.checkpoint(con)
    except duckdb.Error as exc:
        if not _disk_full(exc):
            raise
        # committed (in the write-ahead log) before the checkpoint failed: the rows are stored
        result.warnings.append("the disk is full: the rows are saved in the database's write-ahead log, and are "
                               "moved into the database file at the next checkpoint once space is free")
    report("Done", 1.0)
    return result


def _absent_columns(spec: Table, proposal: Proposal) -> list[str]:
    """The table's columns the file does not give (in the table's order)."""
    given = set(proposal.mapping)
    return [c for c in spec.column_names if c not in given]


def _incoming_rows(cur, spec: Table, absent: list[str]) -> None:
    """The view of the rows to merge: the file's values, and for a column the file lacks, the stored value of
    a row whose key exists (a re-import of fewer columns updates only what it gives)."""
    idents = {"table": spec.name, "key": spec.key, "columns": spec.column_names}
    if not absent or not db.scalar(cur, "incoming_matches", idents={"table": spec.name, "key": spec.key}):
        db.execute(cur, "incoming_rows", idents=idents)  # nothing stored to keep: the file's rows as they are
        return
    given = [c for c in spec.column_names if c not in absent]  # the key among them: every file has it
    db.execute(cur, "incoming_rows_keeping", idents={**idents, "absent": absent, "given": given})


def _type_directly(cur, spec: Table, stage: dict, typing: dict, facts: FileFacts, report: Progress) -> int:
    """Typed rows read straight from the file; the number of records. Raises _TakeExactPath on anything
    the exact path must explain."""
    report("Checking every value", 0.3)
    try:
        db.execute(cur, "stage_view", stage)
        db.execute(cur, f"typed_{spec.name}", typing)
    except duckdb.Error as exc:
        if _disk_full(exc):
            raise
        raise _TakeExactPath from exc
    if db.run(cur, "csv_rejects", {"max_problems": 1}).fetchall():
        raise _TakeExactPath
    rows = db.scalar(cur, "typed_count")
    if rows != facts.lines - 1:
        raise _TakeExactPath
    return rows


def _stage_then_type(cur, spec: Table, stage: dict, typing: dict, facts: FileFacts, name: str, csv_path: Path,
                     chosen: ImportOptions, proposal: Proposal, report: Progress) -> int:
    """The file loaded as text into a stage table, checked record by record, then typed; the number of
    records. The stage keeps each raw value for the problem messages."""
    try:
        db.execute(cur, "load_stage", stage)
    except Exception as exc:  # duckdb raises on what store_rejects cannot hold
        raise ImportRejected([_reader_failure(name, csv_path, chosen, str(exc))]) from exc
    rejects = db.run(cur, "csv_rejects", {"max_problems": MAX_PROBLEMS}).fetchall()
    if rejects:
        raise ImportRejected(_structural_problems(name, csv_path, chosen, proposal.headers, rejects))
    rows = db.scalar(cur, "stage_count")
    _cross_check_rows(cur, name, csv_path, facts, rows)
    for col in spec.column_names:
        if col not in stage["columns"]:
            db.execute(cur, "add_stage_column", idents={"column": col})
    report("Checking every value", 0.45)
    db.execute(cur, f"typed_{spec.name}", typing)
    return rows


def _problems(cur, spec: Table, src: _Source, proposal: Proposal, direct: bool) -> list[Problem]:
    """Every value, key and reference problem (the direct path only asks whether there is one)."""
    if direct:
        clean = (not db.run(cur, "bad_cells", {"max_problems": 1}).fetchall()
                 and not db.run(cur, "duplicate_keys", idents={"key": spec.key}).fetchall()
                 and not any(_refused_rows(cur, ref) for ref in _refs(spec, "refuse")))
        if not clean:
            raise _TakeExactPath
        return []
    problems = _cell_problems(cur, spec, src, proposal)
    problems += _duplicate_keys(cur, spec, src)
    for ref in _refs(spec, "refuse"):
        problems += _unknown_references(cur, ref, src)
    return problems


def _refs(spec: Table, on_unknown: str) -> list[Reference]:
    """The table's references that do ``on_unknown`` with a value their table does not hold (schema.Reference)."""
    return [r for r in spec.references if r.on_unknown == on_unknown]


def _ref_idents(ref: Reference) -> dict[str, str | tuple[str, ...]]:
    return {"column": ref.column, "target": ref.table, "target_key": TABLES[ref.table].key}


def _refused_rows(cur, ref: Reference) -> list[tuple]:
    return db.run(cur, "unknown_reference_rows", idents=_ref_idents(ref)).fetchall()


def _create_referenced(cur, spec: Table, import_id: int) -> int:
    """Minimal rows for the values the file names in a table that creates them (an order's new customer)."""
    return sum(db.scalar(cur, "create_missing_rows", {"import_id": import_id}, idents=_ref_idents(ref))
               for ref in _refs(spec, "create") if ref.table != spec.name)


def _unknown_reference_warnings(cur, spec: Table, src: _Source) -> list[str]:
    """Kept and said: values naming rows their table does not hold (an order's campaign not imported yet)."""
    warnings = []
    for ref in _refs(spec, "warn"):
        query = "unknown_references_within" if ref.table == spec.name else "unknown_references"
        n, first = db.run(cur, query, idents=_ref_idents(ref)).fetchall()[0]
        if n:
            warnings.append(f"{n:,} {spec.name} name a {ref.noun} that is not in {ref.table} (first on line "
                            f"{src.lines_of({first}).get(first, '?')})")
    return warnings


def _reader_failure(name: str, csv_path: Path, chosen: ImportOptions, message: str) -> Problem:
    line = _python_structure_scan(csv_path, chosen)
    return Problem(name, line, None, None, "the CSV structure is broken here (" + message.splitlines()[0][:200] + ")")


def _python_structure_scan(csv_path: Path, chosen: ImportOptions) -> int | None:
    try:
        with csv_path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, delimiter=chosen.delimiter, strict=True)
            for _ in reader:
                pass
    except csv.Error:
        return reader.line_num
    return None


_REJECT_RULES = {
    "MISSING COLUMNS": "too few fields",
    "TOO MANY COLUMNS": "too many fields",
    "UNQUOTED VALUE": "a quoted value is not closed, or text follows its closing quote",
    "LINE SIZE OVER MAXIMUM": "the line is longer than the limit",
    "INVALID ENCODING": "not valid UTF-8",
    "INVALID UNICODE": "not valid UTF-8",
}


def _structural_problems(name, csv_path, chosen, headers, rejects) -> list[Problem]:
    lines = _locate(csv_path, chosen, duck_lines={r[0] for r in rejects})[0]
    problems = []
    for line, _col_idx, _col, error_type, raw, _message in rejects:
        rule = _REJECT_RULES.get(error_type, error_type.lower())
        if error_type in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
            found = len(next(csv.reader([raw.rstrip("\r\n")], delimiter=chosen.delimiter), []))
            rule += f": expected {len(headers)}, found {found}"
        problems.append(Problem(name, lines.get(line, line), None, (raw or "").rstrip("\n")[:60], rule))
    return problems


def _cross_check_rows(cur, name: str, csv_path: Path, facts: FileFacts, rows: int) -> None:
    """Records loaded must account for every non-blank physical line (a sniffing error loses rows).

    Blank lines (which the reader skips) and line breaks inside quoted values explain a difference; they are
    counted only then. A blank line inside a quoted value is both blank and a line break in a value, so the
    lines neither records nor breaks in values explain must be blank lines, at most as many as the file has.
    """
    data_lines = facts.lines - 1
    if data_lines == rows:
        return
    blank = _blank_lines(csv_path)
    expected = data_lines - blank
    unexplained = data_lines - rows - db.scalar(cur, "embedded_newlines")
    if expected != rows and not 0 <= unexplained <= blank:
        raise ImportRejected([Problem(name, None, None, None,
                                      f"read {rows:,} records but the file has {expected:,} data lines; "
                                      "check the delimiter and quoting")])


def _locate(csv_path: Path, chosen: ImportOptions, duck_lines: set[int] = frozenset(),
            ordinals: set[int] = frozenset()) -> tuple[dict[int, int], dict[int, int]]:
    """Physical lines of records named by DuckDB's reject line numbers or by data-record ordinal.

    DuckDB counts lines as records (a blank line is one) with header = 1, so a value spanning several
    physical lines shifts every later number; Python's reader tells the physical start of each record.
    """
    by_duck, by_ordinal = {}, {}
    if not duck_lines and not ordinals:
        return by_duck, by_ordinal
    last = max(list(duck_lines) + [0]), max(list(ordinals) + [-1])
    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=chosen.delimiter)
        prev_end, record_no, ordinal = 0, 0, -1
        try:
            for row in reader:
                start, prev_end = prev_end + 1, reader.line_num
                record_no += 1
                if record_no in duck_lines:
                    by_duck[record_no] = start
                if record_no > 1 and row:
                    ordinal += 1
                    if ordinal in ordinals:
                        by_ordinal[ordinal] = start
                if record_no >= last[0] and ordinal >= last[1]:
                    break
        except csv.Error:
            pass
    return by_duck, by_ordinal


def _cell_problems(cur, spec: Table, src: _Source, proposal: Proposal) -> list[Problem]:
    name, chosen = src.name, src.options
    cells = db.run(cur, "bad_cells", {"max_problems": MAX_PROBLEMS}).fetchall()
    if not cells:
        return []
    recs = sorted({rec for rec, _ in cells})
    raw_rows = {r["rec"]: r for r in db.run(cur, "stage_rows", {"recs": recs}).df().to_dict("records")}
    lines = src.lines_of(set(recs))
    header_by_col = {m: h for h, m in zip(proposal.headers, proposal.mapping, strict=False) if m}
    problems, repeated = [], set()
    for rec, column in cells:
        raw = raw_rows.get(rec, {})
        line = lines.get(rec)
        if _is_repeated_header(raw, header_by_col):
            if rec not in repeated:
                repeated.add(rec)
                problems.append(Problem(name, line, None, None,
                                        "the header row is repeated here (were two exports pasted together?)"))
            continue
        value = raw.get(column)
        problems.append(Problem(name, line, column, None if value is None else str(value),
                                _explain(spec.column(column), value, chosen)))
    return problems


def _is_repeated_header(raw: dict, header_by_col: dict) -> bool:
    hits = [str(raw.get(col) or "").strip().lstrip("\ufeff") == head.strip().lstrip("\ufeff")
            for col, head in header_by_col.items()]
    return len(hits) > 1 and sum(hits) >= max(2, len(hits) - 1)


MONEY_LIMIT = 10_000_000_000  # money values lie below this in absolute value (create_schema.sql, crm_money_bound)


def _explain(column, value, chosen: ImportOptions) -> str:
    """Why a value was refused, in words (the SQL macros are the rule; this only describes it)."""
    text = "" if value is None else str(value).strip()
    if text in _NULLS:
        return "a value is required here"
    kind = column.kind
    if kind == "date":
        return f"not a valid date in the format {chosen.date_format} (e.g. {_example(chosen.date_format)})"
    if kind == "timestamp":
        return ("not a valid timestamp (ISO 8601 such as 2024-03-01T14:30:00Z, or "
                f"{chosen.date_format} HH:MM[:SS]), or before the opening time")
    if kind == "money":
        if text.lower() in ("nan", "inf", "infinity", "-infinity", "-inf"):
            return "not a number (NaN and Infinity are not amounts)"
        mark = "decimal point" if chosen.decimal == "." else "decimal comma"
        example = "1234.50 or 1,234.50" if chosen.decimal == "." else "1234,50 or 1.234,50"
        rule = (f"not an amount with a {mark} (write e.g. {example}; at most two decimals and ten digits before "
                f"the {mark}, below {MONEY_LIMIT:,} in absolute value)")
        if column.low is not None:
            rule += f"; must be at least {column.low:g}"
        return rule
    if kind in ("int", "score"):
        if column.low is not None and column.high is not None:
            return f"must be a whole number from {column.low:g} to {column.high:g}"
        return "not a whole number"
    if kind == "bool":
        return "not a yes/no value (true/false, yes/no, 1/0)"
    if kind == "enum":
        return "not one of: " + ", ".join(column.values)
    if column.name == "end_date":
        return "ends before it starts"
    return "a value is required here"


def _duplicate_keys(cur, spec: Table, src: _Source) -> list[Problem]:
    rows = db.run(cur, "duplicate_keys", idents={"key": spec.key}).fetchall()
    if not rows:
        return []
    lines = src.lines_of({r for recs, _, _ in rows for r in recs[:5]})
    key = " + ".join(spec.key)
    return [Problem(src.name, lines.get(recs[0]), key, None,
                    f"the same {key} appears on lines " + ", ".join(str(lines.get(r, "?")) for r in recs[:5])
                    + (f" and {n - 5:,} more" if n > 5 else "") + " (each must be unique in a file)")
            for recs, n, _ in rows]


def _unknown_references(cur, ref: Reference, src: _Source) -> list[Problem]:
    rows = _refused_rows(cur, ref)
    lines = src.lines_of({r[0] for r in rows})
    return [Problem(src.name, lines.get(rec, None), ref.column, value,
                    f"this {ref.noun} is not in {ref.table}: import the {ref.table} file first")
            for rec, value in rows]


def _id_warnings(cur, spec: Table, columns: dict[str, str], facts: FileFacts) -> list[str]:
    """How many ids of each id column were stored composed and without invisible marks (crm_id), said so that a
    user who sees two customers merge knows why."""
    if facts.ascii:
        return []
    warnings = []
    for column in (c.name for c in spec.columns if c.kind == "id" and c.name in columns):
        n = db.scalar(cur, "ids_normalised", idents={"column": column})
        if n:
            warnings.append(f"{n:,} {column} values held invisible marks (direction marks, soft hyphens, joiners) "
                            "or decomposed accents; they were stored without them, composed, so that ids that look "
                            "the same are one")
    return warnings


def _rule_warnings(cur, spec: Table, src: _Source) -> list[str]:
    rows = db.run(cur, spec.warnings_query).fetchall() if spec.warnings_query else []
    if not rows:
        return []
    lines = src.lines_of({r[1] for r in rows})
    by_rule: dict[str, list[str]] = {}
    for rule, rec in rows:
        by_rule.setdefault(rule, []).append(str(lines.get(rec, "?")))
    return [f"{rule}: lines {', '.join(found)}" + (" and more" if len(found) >= 20 else "")
            for rule, found in by_rule.items()]
