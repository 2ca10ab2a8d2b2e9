"""Import sources: the files marketers' tools export, imported as exported.

A source is one SQL file that declares a known layout and turns it into canonical rows. Its opening comment
names it and states the rule that recognises it::

    -- source: online_retail
    -- title: Line items in the Online Retail layout
    -- header: InvoiceNo|Invoice, StockCode, Quantity, InvoiceDate, UnitPrice|Price, CustomerID|Customer ID
    -- writes: customers, orders

``header`` lists the columns the file must have (alternatives separated by ``|``), compared after the import's
header normalisation (case, spaces, punctuation): a file is recognised when it has every one of them, never
by a guess; where two sources fit, the one naming more columns wins. The file is read as text into the table
``raw``: ``_line`` (the physical line, header = 1) and each declared column under the normalised name of its
first spelling (``invoiceno``, ``customerid``). The SQL then creates these views:

- ``source_<table>`` for each table it writes: canonical columns as text, plus ``_line`` (the first line of
  the file behind the row), which names lines in problems;
- ``source_problems`` (``_line``, ``column_name``, ``value``, ``rule``): values it cannot read;
- ``source_dates`` (``value``), when the layout has a date column: its values, from which the date format is
  proposed (``getvariable('crm_date_format')`` in the views);
- ``source_left_out`` (``what``, ``rows``, ``amount``): rows counted and left out, said with the result.

The shipped sources are ``sql/layout_*.sql``; a folder named by ``CRM_SOURCES`` adds a company's own (the README
shows a worked example). The canonical rows go through the import of each table (every check, the ledger,
undo, idempotent re-upload); a batch that fails anywhere is undone whole.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from crm_metrics import currency, db
from crm_metrics.access import LOCAL_ADMIN, Principal, require
from crm_metrics.importing.files import _check_bytes, _not_csv_problem, _readable, _utf8_lf, scan_file
from crm_metrics.importing.ledger import undo_import
from crm_metrics.importing.load import import_file
from crm_metrics.importing.model import (
    DELIMITERS,
    MAX_LINE_BYTES,
    FileFacts,
    ImportOptions,
    ImportRejected,
    ImportResult,
    Problem,
)
from crm_metrics.importing.proposal import (
    date_formats_fitting,
    date_formats_reading_most,
    guess_encoding,
    read_head,
    sniff_delimiter,
)
from crm_metrics.schema import TABLE_ORDER, normalise_header

SOURCES_ENV = "CRM_SOURCES"
_FIELD = re.compile(r"^--\s*(source|title|header|writes|statuses):\s*(.+?)\s*$", re.MULTILINE)
# what a status in a file may import as: a canonical order status, or not an order at all (counted, left out)
STATUS_TARGETS = ("completed", "returned", "cancelled", "not an order")
_MORE_FILES = re.compile(r"^--\s*header ([2-5]):\s*(.+?)\s*$", re.MULTILINE)
Columns = tuple[tuple[str, ...], ...]  # each required column's spellings, as the file writes them


def _columns(text: str) -> Columns:
    return tuple(tuple(s.strip() for s in column.split("|")) for column in text.split(","))


def _names(header: Columns) -> dict[str, str]:
    return {normalise_header(spelling): normalise_header(spellings[0])
            for spellings in header for spelling in spellings}


def _fits(header: Columns, cells: list[str]) -> bool:
    present = {normalise_header(c) for c in cells}
    return all(any(normalise_header(s) in present for s in spellings) for spellings in header)


@dataclass(frozen=True)
class Source:
    """One known layout: its name, what it is, the columns that recognise it, the tables it writes, its SQL."""

    name: str
    title: str
    header: Columns  # the (first) file's columns: raw
    writes: tuple[str, ...]
    text: str
    origin: Path
    more: tuple[Columns, ...] = ()  # a source that reads several files: the columns of files 2, 3 ... (raw_2 ...)
    statuses: tuple[tuple[str, str], ...] = ()  # the status map: a status as the file writes it -> STATUS_TARGETS

    @property
    def columns(self) -> dict[str, str]:
        """Normalised spelling -> the name the column has in ``raw`` (its first spelling, normalised)."""
        return _names(self.header)

    def fits(self, headers: list[str]) -> bool:
        return _fits(self.header, headers)

    def file_number(self, cells: list[str]) -> int | None:
        """Which of the source's files (1, 2 ...) a header is, or None."""
        for number, header in enumerate((self.header, *self.more), start=1):
            if _fits(header, cells):
                return number
        return None


def parse(text: str, origin: Path) -> Source:
    """A source from its SQL file's text (the opening comment's ``source``, ``title``, ``header``, ``writes``)."""
    fields = dict(_FIELD.findall(text))
    missing = [k for k in ("source", "title", "header", "writes") if k not in fields]
    if missing:
        raise ValueError(f"{origin}: the opening comment lacks {', '.join(missing)}")
    writes = tuple(t.strip() for t in fields["writes"].split(","))
    unknown = [t for t in writes if t not in TABLE_ORDER]
    if unknown:
        raise ValueError(f"{origin}: writes unknown tables {', '.join(unknown)}")
    more = dict(_MORE_FILES.findall(text))
    if sorted(more) != [str(n) for n in range(2, len(more) + 2)]:
        raise ValueError(f"{origin}: further files are numbered header 2, header 3 ... in order")
    return Source(fields["source"].strip(), fields["title"].strip(), _columns(fields["header"]), writes, text, origin,
                  tuple(_columns(more[str(n)]) for n in range(2, len(more) + 2)),
                  _status_map(fields.get("statuses", ""), origin))


def _status_map(text: str, origin: Path) -> tuple[tuple[str, str], ...]:
    pairs = [tuple(part.strip() for part in item.split("=", 1)) for item in text.split(",") if item.strip()]
    wrong = [p for p in pairs if len(p) != 2 or p[1] not in STATUS_TARGETS]
    if wrong:
        raise ValueError(f"{origin}: statuses map a status to one of {', '.join(STATUS_TARGETS)}")
    return tuple((status.lower(), target) for status, target in pairs)


def sources_folder() -> Path:
    """Where a company's own sources are: the folder ``CRM_SOURCES`` names, else ``sources`` beside the default
    database (``data/sources``), where the Data page saves a confirmed mapping."""
    folder = os.environ.get(SOURCES_ENV)
    return Path(folder) if folder else db.default_path().parent / "sources"


def _folder_sources() -> list[Path]:
    folder = sources_folder()
    return sorted(folder.glob("*.sql")) if folder.is_dir() else []


@cache
def _shipped() -> tuple[Source, ...]:
    return tuple(parse(p.read_text(encoding="utf-8"), p) for p in sorted(db.SQL_DIR.glob("layout_*.sql")))


def sources() -> list[Source]:
    """Every source: the shipped ones, then the folder ``CRM_SOURCES`` names (read afresh on each call, so a
    source saved there is known at once)."""
    found = list(_shipped()) + [parse(p.read_text(encoding="utf-8"), p) for p in _folder_sources()]
    names = [s.name for s in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"two sources are named {', '.join(twice)}")
    return found


def by_name(name: str) -> Source:
    for source in sources():
        if source.name == name:
            return source
    raise KeyError(f"no source named {name!r}; python -m crm_metrics sources lists them")


def recognise(headers: list[str]) -> Source | None:
    """The source whose required columns the header has (the one naming most columns where several fit)."""
    fitting = [s for s in sources() if s.fits(headers)]
    return max(fitting, key=lambda s: len(s.header)) if fitting else None


@dataclass
class SourceResult:
    """What importing one file through a source did: one import per table it wrote."""

    source: Source
    file_name: str
    imports: list[ImportResult] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # rows counted and left out, in words
    date_format: str | None = None
    currency: str | None = None  # the currency the file names (a Currency column), recorded with the data
    statuses: list[tuple[str, int, str | None]] = field(default_factory=list)  # status as written, rows, imported as

    def summary(self) -> str:
        lines = [f"{self.file_name}: recognised as {self.source.title} ({self.source.name})."]
        lines += [f"  {r.summary()}" for r in self.imports]
        lines += [f"  Left out, {w}" for w in self.left_out]
        if self.currency:
            lines.append(f"  Amounts are in {self.currency}, as the file says.")
        return "\n".join(lines)


@dataclass(frozen=True)
class Header:
    """Where a file's header is: its cells, the delimiter, and the lines before it (a report's title and date
    range: Google Ads and other report downloads write them above the header)."""

    cells: list[str]
    delimiter: str
    preamble: list[str]

    @property
    def skip(self) -> int:
        return len(self.preamble)


PREAMBLE_LINES = 20  # a header further down is not looked for


def header_of(path: Path, source: Source | None = None) -> Header:
    """The header of a UTF-8 CSV file: the first of its first lines that a source (``source``, or any) fits,
    else the first line with the sniffed delimiter."""
    text = read_head(path, "utf-8")
    lines = text.split("\n")
    for i, line in enumerate(lines[:PREAMBLE_LINES]):
        for delimiter in DELIMITERS:
            cells = [c.lstrip("\ufeff") for c in next(csv.reader([line], delimiter=delimiter), [])]
            if len(cells) > 1 and (source.fits(cells) if source else recognise(cells)):
                return Header(cells, delimiter, lines[:i])
    delimiter = sniff_delimiter(text)
    return Header([c.lstrip("\ufeff") for c in next(csv.reader(lines[:1], delimiter=delimiter), [])], delimiter, [])


_RANGE = re.compile(r"([A-Za-z]{3,9}\.? \d{1,2}, \d{4}|\d{4}-\d{2}-\d{2}|\d{1,2} [A-Za-z]{3,9}\.? \d{4})"
                    r"\s*[-–]\s*"
                    r"([A-Za-z]{3,9}\.? \d{1,2}, \d{4}|\d{4}-\d{2}-\d{2}|\d{1,2} [A-Za-z]{3,9}\.? \d{4})")


def report_range(preamble: list[str]) -> tuple[dt.date, dt.date] | None:
    """The date range a report states above its header ("February 1, 2024 - February 29, 2024")."""
    for line in preamble:
        found = _RANGE.search(line)
        if found:
            days = [_day(found.group(1)), _day(found.group(2))]
            if all(days):
                return days[0], days[1]
    return None


_CURRENCY_IN_HEADER = re.compile(r"\(([A-Za-z]{3})\)\s*$")


def header_currency(cells: list[str]) -> str | None:
    """The currency a header names ("Amount spent (USD)"), for a source's ``getvariable('crm_header_currency')``."""
    for cell in cells:
        found = _CURRENCY_IN_HEADER.search(cell)
        if found and found.group(1).upper() in currency.SYMBOLS:
            return found.group(1).upper()
    return None


def _day(text: str) -> dt.date | None:
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y"):
        try:
            return dt.datetime.strptime(text.replace(".", ""), fmt).date()
        except ValueError:
            continue
    return None


def import_source(con, path: Path | str, source: Source | str | None = None, options: ImportOptions | None = None,
                  *, file_name: str | None = None, actor: Principal = LOCAL_ADMIN, imported_by: str | None = None,
                  statuses: dict[str, str] | None = None) -> SourceResult:
    """Import a file written in a known layout: recognise it (or take ``source``), read it as text, turn it into
    canonical rows with the source's SQL, and import each table it writes; all or nothing.

    Raises
    ------
    ImportRejected
        naming file, line, column and value: a layout not recognised, a required column missing, values the
        source cannot read, a date format to confirm, or what the import of the canonical rows refused (the
        imports of the batch written before are undone).
    """
    require(actor, "import")
    path = Path(path)
    name = file_name or path.name
    options = options or ImportOptions()
    with tempfile.TemporaryDirectory(prefix="crm-source-") as tmp:
        work = Path(tmp)
        csv_path, facts = _as_utf8(path, work, name, options)
        chosen, header = _chosen(source, csv_path, name, alone=True)
        return _import_inputs(con, chosen, [Input(name, csv_path, facts, header)], options, work, actor,
                              imported_by, statuses)


def _import_inputs(con, source: Source, inputs: list[Input], options: ImportOptions, work: Path, actor: Principal,
                   imported_by: str | None, statuses: dict[str, str] | None = None) -> SourceResult:
    result = SourceResult(source, " + ".join(i.name for i in inputs))
    files = _canonical_files(con, source, inputs, options, work, result, statuses)
    result.imports = _import_all(con, source, files, inputs[0].name, actor, imported_by)
    if result.currency:
        currency.store(con, result.currency, actor)
    return result


@dataclass
class SourcePreview:
    """What importing a file through a source would write, before the user confirms."""

    source: Source
    file_name: str
    rows: dict[str, int]  # canonical rows per table
    heads: dict[str, pd.DataFrame]  # the first canonical rows per table
    orders: dict | None  # orders, customers, completed revenue, first and last day (when it writes orders)
    left_out: list[str]
    date_format: str | None
    currency: str | None
    statuses: list[tuple[str, int, str | None]] = field(default_factory=list)  # status as written, rows, imported as
    problems: list[Problem] = field(default_factory=list)  # values it cannot read (an unknown status among them)


def recognise_file(path: Path | str, options: ImportOptions | None = None, file_name: str | None = None
                   ) -> Source | None:
    """The source whose layout the file's header has (gzip unpacked first), or None."""
    found = recognise_part(path, options, file_name)
    return found[0] if found else None


def recognise_part(path: Path | str, options: ImportOptions | None = None, file_name: str | None = None
                   ) -> tuple[Source, int] | None:
    """The source whose layout the file's header has and which of its files it is (1 for a single file; 2, 3
    ... for the further files of a source that reads several), or None."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="crm-source-") as tmp:
        try:
            csv_path, _ = _as_utf8(path, Path(tmp), file_name or path.name, options or ImportOptions())
        except ImportRejected:
            return None
        cells = header_of(csv_path).cells
    single = recognise(cells)
    return (single, 1) if single is not None else _file_of(cells, sources())


def _file_of(cells: list[str], candidates: list[Source]) -> tuple[Source, int] | None:
    """Which source that reads several files (among ``candidates``) a header belongs to, and which file it is."""
    return next(((s, n) for s in candidates if s.more and (n := s.file_number(cells))), None)


def preview(con, path: Path | str, source: Source | str | None = None, options: ImportOptions | None = None, *,
            file_name: str | None = None, statuses: dict[str, str] | None = None) -> SourcePreview:
    """The canonical rows a file would give (counts, first rows, the orders' totals and dates, what is left out,
    the statuses it writes and what each imports as), read without writing anything. Values it cannot read are
    returned as ``problems`` (with the statuses, so that an unknown status can be mapped); a file it cannot read
    at all raises ImportRejected."""
    path = Path(path)
    name = file_name or path.name
    options = options or ImportOptions()
    seen: dict = {}

    def inspect(cur, chosen: Source) -> None:
        seen["heads"] = {t: db.query_df(cur, "source_head", idents={"table": f"source_{t}"}) for t in chosen.writes}
        if "orders" in chosen.writes:
            seen["orders"] = db.query_df(cur, "source_order_totals").iloc[0].to_dict()

    with tempfile.TemporaryDirectory(prefix="crm-source-") as tmp:
        work = Path(tmp)
        csv_path, facts = _as_utf8(path, work, name, options)
        chosen, header = _chosen(source, csv_path, name, alone=True)
        result = SourceResult(chosen, name)
        try:
            files = _canonical_files(con, chosen, [Input(name, csv_path, facts, header)], options, work, result,
                                     statuses, inspect)
        except ImportRejected as exc:
            if not result.statuses:
                raise
            return SourcePreview(chosen, name, {}, {}, None, [], result.date_format, None, result.statuses,
                                 exc.problems)
    return SourcePreview(chosen, name, {t: len(lines) for t, _, lines in files}, seen["heads"], seen.get("orders"),
                         result.left_out, result.date_format, result.currency, result.statuses)


def import_batch(con, paths: list[Path | str], source: Source | str | None = None,
                 options: ImportOptions | None = None, *, actor: Principal = LOCAL_ADMIN,
                 imported_by: str | None = None, statuses: dict[str, str] | None = None) -> list[SourceResult]:
    """Import several files, each in its recognised layout, as one batch: when one is refused, the files imported
    before it are undone (newest first), so the batch changes nothing."""
    options = options or ImportOptions()
    done: list[SourceResult] = []
    with tempfile.TemporaryDirectory(prefix="crm-source-") as tmp:
        work = Path(tmp)
        singles, together = _batch_parts(paths, source, options, work)
        try:
            for path in singles:
                done.append(import_source(con, path, source, options, actor=actor, imported_by=imported_by,
                                          statuses=statuses))
            for chosen, inputs in together:
                done.append(_import_inputs(con, chosen, inputs, options, work, actor, imported_by, statuses))
        except BaseException:
            for result in reversed(done):
                _undo(con, result.imports, actor)
            raise
    return done


def _batch_parts(paths: list[Path | str], source: Source | str | None, options: ImportOptions, work: Path
                 ) -> tuple[list[Path], list[tuple[Source, list[Input]]]]:
    """The files of a batch that stand alone, and those that sources reading several files read together
    (each source's files in its order; a file of such a source whose companions are missing is refused)."""
    forced = by_name(source) if isinstance(source, str) and source else source
    candidates = [forced] if forced else sources()
    singles, groups = [], {}
    for i, raw_path in enumerate(paths):
        path = Path(raw_path)
        (work / str(i)).mkdir()
        csv_path, facts = _as_utf8(path, work / str(i), path.name, options)
        header = header_of(csv_path)
        owner = _file_of(header.cells, candidates)
        if owner is None:
            singles.append((_dependency_rank(forced or recognise(header.cells)), i, path))
            continue
        groups.setdefault(owner[0].name, (owner[0], {}))[1][owner[1]] = Input(path.name, csv_path, facts, header,
                                                                              owner[1])
    together = []
    for chosen, found in groups.values():
        missing = [n for n in range(1, len(chosen.more) + 2) if n not in found]
        if missing:
            named = ", ".join(", ".join(spellings[0] for spellings in (chosen.header, *chosen.more)[n - 1][:3])
                              for n in missing)
            raise ImportRejected([Problem(next(iter(found.values())).name, None, None, None,
                                          f"the {chosen.title} source reads {len(chosen.more) + 1} files together; "
                                          f"the batch lacks the file with the columns {named} ...")])
        together.append((chosen, [found[n] for n in sorted(found)]))
    return [path for _, _, path in sorted(singles)], together


def _dependency_rank(source: Source | None) -> int:
    """Where a file goes in a batch: after the files writing the tables it refers to (a campaign's activity after
    the campaigns), so that the files of a batch may be given in any order."""
    return max(TABLE_ORDER.index(t) for t in source.writes) if source else len(TABLE_ORDER)


def _undo(con, imports: list[ImportResult], actor: Principal) -> None:
    for result in reversed(imports):
        if result.import_id is not None and result.already_imported_at is None:
            undo_import(con, result.import_id, actor)


def _as_utf8(path: Path, work: Path, name: str, options: ImportOptions) -> tuple[Path, FileFacts]:
    source, facts, _ = _readable(path, work, name)
    problem = _not_csv_problem(name, facts)
    if problem:
        raise ImportRejected([problem])
    encoding = options.encoding or guess_encoding(facts, source)
    _check_bytes(name, facts, encoding)
    csv_path = _utf8_lf(source, facts, encoding, work)
    return csv_path, (scan_file(csv_path) if csv_path != source else facts)


def _chosen(source: Source | str | None, csv_path: Path, name: str, alone: bool = False) -> tuple[Source, Header]:
    """The source a file is read by (``source``, or recognised) and where its header is; ``alone``: the file is
    read on its own, so a source that reads several files together refuses it, saying how to import it."""
    chosen = by_name(source) if isinstance(source, str) and source else source
    header = header_of(csv_path, chosen)
    headers = header.cells
    if chosen is None:
        chosen = recognise(headers)
        if chosen is None:
            raise ImportRejected([Problem(
                name, 1, None, None,
                "not a layout the dashboard knows (python -m crm_metrics sources lists them): import it into a "
                "table instead (import TABLE FILE), or add a source of your own (see the README)")])
    missing = [spellings[0] for spellings in chosen.header
               if not any(normalise_header(s) in {normalise_header(h) for h in headers} for s in spellings)]
    if missing:
        raise ImportRejected([Problem(name, header.skip + 1, m, None,
                                      f"a column the {chosen.title} layout has is missing") for m in missing])
    if alone and chosen.more:
        raise ImportRejected([Problem(name, header.skip + 1, None, None,
                                      f"this is one of the {len(chosen.more) + 1} files the {chosen.title} source "
                                      "reads together: import them in one batch (several files at once)")])
    return chosen, header


def _stage_columns(wanted: dict[str, str], headers: list[str], name: str) -> dict[str, str]:
    columns: dict[str, str] = {}
    for i, header in enumerate(headers):
        target = wanted.get(normalise_header(header))
        if target is None or target in columns:
            if target in columns:
                raise ImportRejected([Problem(name, 1, header, None,
                                              f"two columns of the file stand for {target}")])
            target = f"_skip{i}"
        columns[target] = "VARCHAR"
    return columns


@dataclass(frozen=True)
class Input:
    """One file a source reads: its name, the UTF-8 copy read, its facts, its header, and which of the source's
    files it is (1: ``raw``, whose lines name the problems; 2: ``raw_2`` ...)."""

    name: str
    csv_path: Path
    facts: FileFacts
    header: Header
    number: int = 1

    @property
    def table(self) -> str:
        return "raw" if self.number == 1 else f"raw_{self.number}"


def status_map_of(source: Source, statuses: dict[str, str] | None = None) -> dict[str, str]:
    """The source's status map with the user's choices over it (a status as the file writes it, compared in lower
    case -> one of STATUS_TARGETS)."""
    chosen = {k.strip().lower(): v for k, v in (statuses or {}).items()}
    wrong = sorted(v for v in chosen.values() if v not in STATUS_TARGETS)
    if wrong:
        raise ValueError(f"a status imports as one of {', '.join(STATUS_TARGETS)}, not {wrong[0]!r}")
    return dict(source.statuses) | chosen


def _stage(cur, source: Source, given: Input, options: ImportOptions) -> None:
    """Read one file as text into its raw table, its record count checked against its lines."""
    header = (source.header, *source.more)[given.number - 1]
    try:
        records = db.scalar(cur, "source_stage", {
            "path": str(given.csv_path), "columns": _stage_columns(_names(header), given.header.cells, given.name),
            "delimiter": options.delimiter or given.header.delimiter, "skip": given.header.skip,
            "max_line_size": MAX_LINE_BYTES + 2}, idents={"table": given.table})
    except duckdb.Error as exc:
        raise ImportRejected([Problem(given.name, None, None, None, f"could not be read as CSV: {exc}")]) from exc
    data_lines = given.facts.lines - 1 - given.header.skip
    if records != data_lines:
        raise ImportRejected([Problem(given.name, None, None, None,
                                      f"read {records:,} records but the file has {data_lines:,} data lines: a "
                                      "value holds a line break, which this layout never has")])


def _canonical_files(con, source: Source, inputs: list[Input], options: ImportOptions, work: Path,
                     result: SourceResult, statuses: dict[str, str] | None = None, inspect: Callable | None = None
                     ) -> list[tuple[str, Path, list[int]]]:
    """The canonical CSV file of each table the source writes, with the line of the (first) file behind each
    of its rows."""
    name, header = inputs[0].name, inputs[0].header
    cur = con.cursor()
    try:
        for given in inputs:
            _stage(cur, source, given, options)
        cur.execute("SET VARIABLE crm_header_currency = ?", [header_currency(header.cells)])
        status_map = status_map_of(source, statuses)
        cur.execute("SET VARIABLE crm_status_map = map(CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]))",
                    [list(status_map), list(status_map.values())])
        span = report_range(header.preamble)
        cur.execute("SET VARIABLE crm_report_start = CAST(? AS DATE)", [span[0] if span else None])
        cur.execute("SET VARIABLE crm_report_end = CAST(? AS DATE)", [span[1] if span else None])
        db.run_script(cur, source.text)
        result.date_format = _date_format(cur, name, options)
        cur.execute("SET VARIABLE crm_date_format = ?", [result.date_format or "%Y-%m-%d"])
        result.statuses = _optional(cur, "source_status_counts")
        problems = [Problem(name, int(line), column, value, rule)
                    for line, column, value, rule in db.run(cur, "source_problems_found").fetchall()]
        if problems:
            raise ImportRejected(problems)
        result.currency = _named_currency(cur, name)
        result.left_out = [f"{what}: {rows:,}" + (f", worth {amount:,.2f}" if amount is not None else "")
                           for what, rows, amount in _optional(cur, "source_left_out_rows") if rows]
        files = []
        for table in [t for t in TABLE_ORDER if t in source.writes]:
            target = work / f"{Path(name).stem}.{table}.csv"
            idents = {"table": f"source_{table}"}
            db.execute(cur, "source_export", {"path": str(target)}, idents=idents)
            lines = [line for (line,) in db.run(cur, "source_lines", idents=idents).fetchall()]
            files.append((table, target, lines))
        if inspect:
            inspect(cur, source)
        return files
    finally:
        cur.close()


def _optional(cur, query: str) -> list[tuple]:
    """The rows of a query over a view a source may leave out (source_left_out, source_currency): none then."""
    try:
        return db.run(cur, query).fetchall()
    except duckdb.CatalogException:
        return []


def _named_currency(cur, name: str) -> str | None:
    """The one currency the file names (None: it names none). Amounts in several currencies cannot be added up:
    the file is refused."""
    named = [v for (v,) in _optional(cur, "source_currencies")]
    if len(named) > 1:
        raise ImportRejected([Problem(name, None, "Currency", ", ".join(named),
                                      "the amounts are in several currencies, which cannot be added up: export one "
                                      "currency per file")])
    if named and named[0] not in currency.SYMBOLS:
        raise ImportRejected([Problem(name, None, "Currency", named[0], "a currency the dashboard does not know")])
    return named[0] if named else None


def _date_format(cur, name: str, options: ImportOptions) -> str | None:
    """The format every date of the source's date column satisfies (None: the layout has no date column)."""
    try:
        values = [v for (v,) in db.run(cur, "source_date_sample").fetchall()]
    except duckdb.CatalogException:
        return None
    if options.date_format:
        return options.date_format
    fitting = date_formats_fitting(values) or date_formats_reading_most(values)
    if len(fitting) == 1:
        return fitting[0]  # the values it cannot read are then named line by line
    if not fitting:
        raise ImportRejected([Problem(name, None, None, values[0] if values else None,
                                      "the dates are in no format the import knows")])
    raise ImportRejected([Problem(name, None, None, None,
                                  "please confirm the date format: every date reads as "
                                  + " or as ".join(fitting) + " (CLI: --date-format)")])


def _import_all(con, source: Source, files: list[tuple[str, Path, list[int]]], name: str, actor: Principal,
                imported_by: str | None) -> list[ImportResult]:
    """Import each canonical file; when one is refused, undo the ones before it (newest first) and name the
    problems by the original file's lines."""
    done: list[ImportResult] = []
    try:
        for table, target, lines in files:
            if not lines:  # the file gives this table no row (every order a guest's): nothing to import there
                continue
            label = f"{name} [{source.name} -> {table}]"
            try:
                done.append(import_file(con, table, target, ImportOptions(date_format="%Y-%m-%d"),
                                        file_name=label, actor=actor, imported_by=imported_by))
            except ImportRejected as exc:
                raise ImportRejected([_in_the_file(p, name, table, lines) for p in exc.problems]) from exc
    except BaseException:
        _undo(con, done, actor)
        raise
    return done


def _in_the_file(problem: Problem, name: str, table: str, lines: list[int]) -> Problem:
    """A problem the import found in a canonical row, named by the line of the file behind that row."""
    line = lines[problem.line - 2] if problem.line and 2 <= problem.line < len(lines) + 2 else None
    column = f"{table}.{problem.column}" if problem.column else None
    return Problem(name, line, column, problem.value, problem.rule)
