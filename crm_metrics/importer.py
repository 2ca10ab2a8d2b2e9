"""Strict CSV import: sniff, propose, load into a staging table, validate, merge in one transaction.

The pipeline (used by the Data page and by ``python -m crm_metrics import``):

1. :func:`scan_file` reads the bytes once: SHA-256, what the file really is (CSV, Excel, zip, PDF,
   gzip), encoding validity, line endings and the longest line.
2. :func:`propose` suggests a dialect (encoding, delimiter, decimal mark, date format) and a mapping of
   the file's columns to the canonical ones. Anything but UTF-8, comma, decimal point and an unambiguous
   date format must be confirmed by the caller (``ImportOptions``), never guessed silently.
3. :func:`import_file` reads the file strictly (our column names, never the header's), types it with
   ``sql/typed_<table>.sql``, checks keys and references, and merges it with ``sql/merge_import.sql`` in
   one transaction that also writes the ledger row. Any problem rejects the whole file and leaves every
   table as it was. Problems name file, physical line, column, value, rule. A file that names every
   column is typed where it lies (``sql/stage_view.sql``); the first sign of anything to explain (a
   reject, a bad value, a duplicate key, records that are not one per line) rolls that back and the file
   is staged as text first (``sql/load_stage.sql``), so that each problem can quote its raw value.

Rules for what is accepted are listed in the README ("What the import accepts").
"""

from __future__ import annotations

import atexit
import codecs
import csv
import datetime as dt
import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import duckdb
import numpy as np

from crm_metrics import db
from crm_metrics.access import LOCAL_ADMIN, Principal, require
from crm_metrics.schema import TABLES, Table, match_column, normalise_header

CHUNK = 16 * 1024 * 1024
BLOCK = 512 * 1024
MAX_LINE_BYTES = 1_000_000
# Python's csv module refuses a field over 131,072 characters with its own error; the import's limit is the line's
csv.field_size_limit(MAX_LINE_BYTES + 2)
MAX_COLUMNS = 500
MAX_HEADER_CHARS = 200
MAX_PROBLEMS = 100
MAX_DECOMPRESSED_BYTES = 4 * 1024**3
SNIFF_BYTES = 1024 * 1024

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y", "%m-%d-%Y", "%Y%m%d",
                "%b %d, %Y", "%d %b %Y", "%d-%b-%Y", "%B %d, %Y", "%d %B %Y")
# the time (and offset) after a date, which a date column drops: create_schema.sql's crm_day_text, in Python
_TIME_AFTER_DATE = re.compile(r"(T|\s+)([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(\s*[AaPp]\.?[Mm]\.?)?"
                              r"(\s*(Z|UTC|[+-]\d{2}:?\d{2}))?\s*$")
DELIMITERS = (",", ";", "\t", "|")

Progress = Callable[[str, float], None]

# Business rules that warn (with lines) without rejecting the file.
RULE_QUERIES = {"orders": "rule_warnings_orders", "customers": "rule_warnings_customers"}


@dataclass(frozen=True)
class Problem:
    """One reason a file was rejected, or one warning. ``line`` is the physical line (header = 1)."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    rule: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        col = f" column {self.column}:" if self.column else ""
        val = f" {_quote(self.value)}" if self.value is not None else ""
        return f"{where}:{col} {self.rule}{val}".replace(":  ", ": ")


class ImportFailed(RuntimeError):
    """The import could not be written (no room on the disk): the file was fine, nothing was changed."""


class ImportRejected(Exception):
    """The file was not imported; nothing was changed. ``problems`` lists why (at most 100)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems[:MAX_PROBLEMS]
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class ImportOptions:
    """What the user confirmed. ``None`` means "the default": UTF-8, comma, decimal point, and the
    date format when the data leaves only one reading."""

    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    date_format: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)  # header text -> canonical column, or "-" to skip


@dataclass
class FileFacts:
    """What one pass over the raw bytes found."""

    size: int
    sha256: str
    kind: str  # csv | gzip | zip | pdf | ole | binary
    bom: str | None
    utf8_ok: bool
    invalid_utf8_line: int | None
    lines: int
    max_line_bytes: int
    max_line_no: int
    lone_cr: int
    crlf: int
    nul_line: int | None
    ascii: bool = True
    # a space or tab beside a delimiter, quote or line break (or at either end of the file): some value
    # may carry outer white space to trim. False lets the import skip trimming, which is most of its work.
    blank_edges: bool = True


@dataclass
class Proposal:
    """The suggested dialect and mapping for one file, and what the user must confirm."""

    file_name: str
    table: str
    options: ImportOptions
    headers: list[str]
    mapping: list[str | None]
    preview: list[list[str]]
    date_formats: list[str]
    needs_confirmation: list[str]
    warnings: list[str]
    problems: list[Problem]


@dataclass
class ImportResult:
    """What an import did."""

    import_id: int | None
    table: str
    file_name: str
    rows_in_file: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    customers_created: int = 0
    warnings: list[str] = field(default_factory=list)
    already_imported_at: dt.datetime | None = None
    # columns the file did not have: rows already stored kept their values there
    kept_columns: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.already_imported_at is not None:
            return (f"{self.file_name}: already imported on {self.already_imported_at:%Y-%m-%d %H:%M} "
                    f"(import #{self.import_id}); nothing changed.")
        text = (f"{self.file_name} -> {self.table}: {self.rows_in_file:,} rows; {self.inserted:,} inserted, "
                f"{self.updated:,} updated, {self.unchanged:,} unchanged")
        if self.customers_created:
            text += f"; {self.customers_created:,} customers created"
        text += f" (import #{self.import_id})."
        if self.kept_columns:
            text += (f" Columns not in the file kept their stored values: {', '.join(self.kept_columns)}.")
        return text


# --------------------------------------------------------------------------------------------------
# 1. Bytes


_VALUE_BOUNDARY = np.zeros(256, dtype=bool)
_VALUE_BOUNDARY[list(b',;|\t"\n\r')] = True


def _blank_beside_boundary(chunk: bytes, before: bytes) -> bool:
    """Whether a space or tab in ``chunk`` stands beside a delimiter, quote or line break.

    A value's outer white space always does (a value starts after a delimiter, line break or quote and
    ends before one), so False proves that no value of the chunk needs trimming. ``before`` is the byte
    preceding the chunk (a line break at the start of the file).
    """
    if b" " not in chunk and b"\t" not in chunk and before not in (b" ", b"\t"):
        return False
    data = np.frombuffer(before + chunk, dtype=np.uint8)
    blanks = np.flatnonzero((data == 32) | (data == 9))
    if not len(blanks):
        return False
    # A blank ending the chunk meets the byte after it in the next call, where it is byte 0 (``before``);
    # byte 0's own left neighbour was judged in the previous call.
    right = blanks[blanks < len(data) - 1] + 1
    left = blanks[blanks > 0] - 1
    return bool(_VALUE_BOUNDARY[data[left]].any() or _VALUE_BOUNDARY[data[right]].any())


def scan_file(path: Path) -> FileFacts:
    """One streaming pass: hash, kind, encoding validity, line endings, longest line, blank edges.

    The longest line is measured exactly only when some aligned 512 KB block holds no line break (a
    line over 1 MB always leaves one); otherwise it is known to be under the limit. The SHA-256 runs
    on a second thread (hashlib releases the GIL), beside the byte checks.
    """
    size = path.stat().st_size
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        head = fh.read(8)
    kind = _kind(head)
    bom = _bom(head)
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_ok, invalid_line, nul_line = True, None, None
    lines, max_len, max_line_no, run, lone_cr, crlf = 0, 0, 0, 0, 0, 0
    last_byte, ascii_only, measure, blank_edges = b"", True, False, False
    with path.open("rb") as fh, ThreadPoolExecutor(max_workers=1) as hasher:
        hashing = None
        while chunk := fh.read(CHUNK):
            if hashing is not None:
                hashing.result()
            hashing = hasher.submit(digest.update, chunk)
            if kind != "csv" or bom in ("utf-16-le", "utf-16-be"):
                continue
            if nul_line is None and b"\x00" in chunk:
                nul_line = lines + chunk[: chunk.index(b"\x00")].count(b"\n") + 1
            if not chunk.isascii():
                ascii_only = False
                if utf8_ok:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError as exc:
                        utf8_ok = False
                        invalid_line = lines + chunk[: exc.start].count(b"\n") + 1
            if ascii_only and not blank_edges:
                blank_edges = _blank_beside_boundary(chunk, last_byte or b"\n")
            measure = measure or any(b"\n" not in chunk[i: i + BLOCK]
                                     for i in range(0, len(chunk) - BLOCK + 1, BLOCK))
            straddling = 1 if last_byte == b"\r" and chunk[:1] == b"\n" else 0
            if b"\r" in chunk:  # a cheap search spares two counts on the usual LF-only file
                pairs = chunk.count(b"\r\n") + straddling
                crlf += pairs
                lone_cr += chunk.count(b"\r") - pairs + straddling
            else:
                crlf += straddling
            if measure:
                newlines = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)
                if len(newlines):
                    lengths = np.diff(newlines, prepend=-1)
                    lengths[0] += run
                    k = int(lengths.argmax())
                    if lengths[k] - 1 > max_len:
                        max_len, max_line_no = int(lengths[k] - 1), lines + k + 1
                    run = len(chunk) - int(newlines[-1]) - 1
                else:
                    run += len(chunk)
                if run > max_len:
                    max_len, max_line_no = run, lines + len(newlines) + 1
                lines += len(newlines)
            else:
                newline_count = chunk.count(b"\n")
                run = len(chunk) - chunk.rindex(b"\n") - 1 if newline_count else run + len(chunk)
                lines += newline_count
            last_byte = chunk[-1:]
        if hashing is not None:
            hashing.result()
    blank_edges = blank_edges or last_byte in (b" ", b"\t")
    lone_cr = max(lone_cr - (1 if last_byte == b"\r" else 0), 0) + (1 if last_byte == b"\r" else 0)
    if utf8_ok and kind == "csv" and bom not in ("utf-16-le", "utf-16-be"):
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok, invalid_line = False, lines + 1
    if size and last_byte not in (b"\n", b""):
        lines += 1
    return FileFacts(size, digest.hexdigest(), kind, bom, utf8_ok, invalid_line, lines, max_len, max_line_no,
                     lone_cr, crlf, nul_line, ascii_only, blank_edges)


def _kind(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    return "csv"


def _bom(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le"
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be"
    return None


def _not_csv_problem(name: str, facts: FileFacts) -> Problem | None:
    messages = {
        "zip": "this looks like an Excel workbook (.xlsx) or a zip archive, not CSV text: in Excel, use "
               "File > Save As > CSV UTF-8, then upload that file",
        "ole": "this looks like an old Excel workbook (.xls), not CSV text: in Excel, use File > Save As > "
               "CSV UTF-8",
        "pdf": "this is a PDF document, not CSV text: export the data from its source as CSV",
    }
    if facts.size == 0:
        return Problem(name, None, None, None, "the file is empty (0 bytes)")
    if facts.kind in messages:
        return Problem(name, None, None, None, messages[facts.kind])
    if facts.nul_line is not None:
        return Problem(name, facts.nul_line, None, None,
                       "contains binary data (NUL bytes): this does not look like a CSV text file")
    return None


def _gunzip(path: Path, workdir: Path, name: str) -> Path:
    """Decompress a gzip upload with a hard size cap (a decompression bomb stops at the cap)."""
    target = workdir / "decompressed.csv"
    written = 0
    try:
        with gzip.open(path, "rb") as src, target.open("wb") as dst:
            while chunk := src.read(CHUNK):
                written += len(chunk)
                if written > MAX_DECOMPRESSED_BYTES:
                    raise ImportRejected([Problem(name, None, None, None,
                                                  f"decompresses to more than {MAX_DECOMPRESSED_BYTES // 1024**3} GB "
                                                  "(the limit); split the file or upload it uncompressed")])
                dst.write(chunk)
    except (OSError, EOFError) as exc:
        raise ImportRejected([Problem(name, None, None, None, f"is not a readable gzip file ({exc})")]) from exc
    return target


# --------------------------------------------------------------------------------------------------
# 2. Proposal


def guess_encoding(facts: FileFacts, path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 by BOM, else Windows-1252 when no byte looks like UTF-8."""
    if facts.bom in ("utf-16-le", "utf-16-be"):
        return "utf-16"
    if facts.utf8_ok:
        return "utf-8"
    with path.open("rb") as fh:
        sample = fh.read(64 * 1024 * 1024)
    text = sample.decode("utf-8", errors="replace")
    if any(ord(ch) > 127 and ch != "\ufffd" for ch in text):
        return "utf-8"  # real UTF-8 with a broken byte: reported as such, never re-read as Latin-1
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def read_head(path: Path, encoding: str, limit: int = SNIFF_BYTES) -> str:
    """The first ``limit`` bytes as text with line endings normalised (for sniffing and the preview)."""
    with path.open("rb") as fh:
        raw = fh.read(limit)
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    text = codecs.getincrementaldecoder(codec)("replace").decode(raw, final=len(raw) < limit)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(raw) == limit and "\n" in text:
        text = text[: text.rindex("\n") + 1]  # drop the cut last line
    return text


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header and the first rows into the same number (>1) of fields."""
    lines = [ln for ln in text.split("\n")[:60] if ln.strip()]
    best, best_width = ",", 1
    for delim in DELIMITERS:
        try:
            rows = list(csv.reader(lines, delimiter=delim))
        except csv.Error:
            continue
        if not rows:
            continue
        width = len(rows[0])
        if width > 1 and all(len(r) == width for r in rows) and width > best_width:
            best, best_width = delim, width
    return best


def sniff_decimal(values: list[str]) -> str:
    """',' when money values are written like 1.234,56 or 12,5; '.' otherwise."""
    import re

    comma = sum(bool(re.fullmatch(r"[^\d]*-?\d{1,3}(\.\d{3})*,\d{1,2}[^\d]*", v.strip())) for v in values)
    point = sum(bool(re.fullmatch(r"[^\d]*-?\d{1,3}(,\d{3})*\.\d{1,2}[^\d]*", v.strip())) for v in values)
    return "," if comma > point else "."


def day_text(value: str) -> str:
    """The date part of a date column's value: "1/18/2011 10:01" -> "1/18/2011", "Jun 09, 2018 09:30 pm" ->
    "Jun 09, 2018", "2024-05-01 09:58:12 +0200" -> "2024-05-01" (the day as written)."""
    value = value.strip()
    return _TIME_AFTER_DATE.sub("", value) if len(value) > 10 else value


def date_formats_fitting(values: list[str]) -> list[str]:
    """The candidate date formats that read every sampled value, with readings that differ.

    Formats giving the same dates for every value (e.g. 05/05/2024) count once.
    """
    values = [day_text(v) for v in values if v and v.strip()]
    if not values:
        return []
    fitting: dict[tuple, str] = {}
    for fmt in DATE_FORMATS:
        try:
            parsed = tuple(dt.datetime.strptime(v, fmt).date() for v in values)
        except ValueError:
            continue
        fitting.setdefault(parsed, fmt)
    return list(fitting.values())


def date_formats_reading_most(values: list[str]) -> list[str]:
    """The formats that read the most of ``values`` (when none reads them all): the format a column is meant in,
    whose exceptions are then named line by line as values that are not dates."""
    days = [day_text(v) for v in values if v and v.strip()]
    counts: dict[str, int] = {}
    for fmt in DATE_FORMATS:
        counts[fmt] = sum(1 for v in days if _reads(v, fmt))
    best = max(counts.values(), default=0)
    return [f for f, n in counts.items() if n == best and n > 0]


def _reads(value: str, fmt: str) -> bool:
    try:
        dt.datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def propose(path: Path, table: str, file_name: str | None = None,
            options: ImportOptions | None = None) -> Proposal:
    """Suggest a dialect and a column mapping for ``path`` as data for ``table``."""
    name = file_name or path.name
    options = options or ImportOptions()
    with tempfile.TemporaryDirectory(prefix="crm-propose-") as workdir:
        readable, facts, _ = _readable(path, Path(workdir), name)
        return _propose(readable, facts, table, name, options)


def _propose(path: Path, facts: FileFacts, table: str, name: str, options: ImportOptions) -> Proposal:
    spec = _table(table)
    problem = _not_csv_problem(name, facts)
    if problem:
        return Proposal(name, table, options, [], [], [], [], [], [], [problem])
    encoding = options.encoding or guess_encoding(facts, path)
    text = read_head(path, encoding)
    delimiter = options.delimiter or sniff_delimiter(text)
    rows = [r for r in csv.reader(text.split("\n")[:200], delimiter=delimiter) if r]
    if not rows:
        return Proposal(name, table, options, [], [], [], [], [], [],
                        [Problem(name, 1, None, None, "the file has no header line")])
    headers = rows[0]
    mapping, problems, warnings = map_columns(spec, headers, options.mapping, name)
    samples = rows[1:]
    money_values = [r[i] for r in samples for i, m in enumerate(mapping)
                    if m and spec.column(m).kind == "money" and i < len(r)]
    decimal = options.decimal or sniff_decimal(money_values)
    date_values = [r[i] for r in samples for i, m in enumerate(mapping)
                   if m and spec.column(m).kind in ("date", "timestamp") and i < len(r)
                   and not _is_iso_timestamp(r[i])]
    formats = date_formats_fitting([v for v in date_values if v.strip() not in _NULLS])
    date_format = options.date_format or (formats[0] if len(formats) == 1 else ("%Y-%m-%d" if not formats else None))
    confirm = []
    if not options.encoding and encoding != "utf-8":
        confirm.append(f"the file is not UTF-8; it reads as {encoding} text (encoding '{encoding}')")
    if not options.delimiter and delimiter != ",":
        confirm.append(f"the columns are separated by {_delimiter_name(delimiter)}")
    if not options.decimal and decimal != ".":
        confirm.append("amounts use a decimal comma (1.234,56)")
    if date_format is None:
        confirm.append("the dates can be read in more than one way (" + " or ".join(
            f"{f} = {_example(f)}" for f in formats) + "): choose the date format")
    proposed = replace(options, encoding=encoding, delimiter=delimiter, decimal=decimal, date_format=date_format)
    return Proposal(name, table, proposed, headers, mapping, samples[:20], formats, confirm, warnings, problems)


_NULLS = {"", "NULL", "null", "Null", "N/A", "n/a", "#N/A", "-"}


def _is_iso_timestamp(value: str) -> bool:
    v = value.strip()
    return len(v) > 10 and v[4:5] == "-" and v[10:11] in ("T", " ")


def _example(fmt: str) -> str:
    return dt.date(2024, 3, 1).strftime(fmt) + " for 1 March 2024"


def _delimiter_name(delim: str) -> str:
    return {";": "semicolons (;)", "\t": "tabs", "|": "pipes (|)", ",": "commas"}.get(delim, repr(delim))


def map_columns(spec: Table, headers: list[str], overrides: dict[str, str], name: str
                ) -> tuple[list[str | None], list[Problem], list[str]]:
    """Map header cells to canonical columns; list the problems (fatal) and warnings."""
    problems: list[Problem] = []
    warnings: list[str] = []
    if len(headers) > MAX_COLUMNS:
        return [], [Problem(name, 1, None, None,
                            f"has {len(headers):,} columns; the limit is {MAX_COLUMNS}")], []
    normalised_overrides = {normalise_header(k): v for k, v in overrides.items()}
    mapping: list[str | None] = []
    seen: dict[str, int] = {}
    names_seen: dict[str, int] = {}
    for i, cell in enumerate(headers, start=1):
        label = cell.lstrip("\ufeff")
        if len(label) > MAX_HEADER_CHARS:
            problems.append(Problem(name, 1, f"{i}", label[:40],
                                    f"column {i}'s name is {len(label):,} characters long (limit {MAX_HEADER_CHARS})"))
            mapping.append(None)
            continue
        norm = normalise_header(label)
        if not norm:
            if i == len(headers):
                warnings.append(f"every line ends with a delimiter; the empty last column {i} is ignored")
            else:
                warnings.append(f"column {i} has no name; it is ignored")
            mapping.append(None)
            continue
        if norm in names_seen:
            problems.append(Problem(name, 1, label, None,
                                    f"duplicate column {label!r} (columns {names_seen[norm]} and {i})"))
            mapping.append(None)
            continue
        names_seen[norm] = i
        target = normalised_overrides.get(norm)
        if target == "-":
            mapping.append(None)
            continue
        if target is not None and target not in spec.column_names:
            problems.append(Problem(name, 1, label, None,
                                    f"cannot map to {target!r}: {spec.name} has no such column"))
            mapping.append(None)
            continue
        target = target or match_column(spec, label)
        if target and target in seen:
            problems.append(Problem(name, 1, label, None,
                                    f"columns {seen[target]} and {i} both look like {target!r}; map one of them "
                                    f"to another column or skip it (--map '{label}=-')"))
            mapping.append(None)
            continue
        if target:
            seen[target] = i
        else:
            warnings.append(f"column {i} {label!r} is not part of {spec.name}; it is ignored")
        mapping.append(target)
    missing = [c.name for c in spec.columns if c.required and c.name not in seen]
    if missing:
        problems.append(Problem(name, 1, None, None,
                                "required column(s) missing: " + ", ".join(missing)
                                + f" (found: {', '.join(h.lstrip(chr(0xFEFF)) for h in headers)[:300]})"))
    return mapping, problems, warnings


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
            raise ImportRejected([Problem(name, None, None, None, "please confirm: " + c + _flag_hint(c))
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
                return _load_and_merge(con, spec, csv_path, facts, name, proposal, chosen, sha256, imported_by,
                                       report)
            except duckdb.Error as exc:
                if _disk_full(exc):
                    raise ImportFailed(
                        f"The disk that holds the database filled up while {name} was being written; the import "
                        "was rolled back and the data stored before it is intact. Free some space and import "
                        "again.") from exc
                raise


def _readable(path: Path, workdir: Path, name: str) -> tuple[Path, FileFacts, str]:
    """The file to read (gzip unpacked), its facts, and the SHA-256 of the bytes the user gave (the
    ledger identifies files by those, not by our decompressed or transcoded copy)."""
    facts = scan_file(path)
    if facts.kind == "gzip":
        unpacked = _gunzip(path, workdir, name)
        return unpacked, scan_file(unpacked), facts.sha256
    return _literal_path(path, workdir), facts, facts.sha256


_GLOB = re.compile(r"[*?\[\]{}]")


def _literal_path(path: Path, workdir: Path) -> Path:
    """A name DuckDB's reader takes literally: it expands *, ?, [..] and {..} as patterns, so that
    ``orders[1].csv`` would read ``orders1.csv``; such a file is read through a link with a plain name."""
    if not _GLOB.search(str(path)):
        return path
    link = workdir / f"named-file-{uuid.uuid4().hex}.csv"
    link.symlink_to(path.resolve())
    return link


def _flag_hint(text: str) -> str:
    if "encoding" in text:
        return " (CLI: --encoding)"
    if "separated" in text:
        return " (CLI: --delimiter)"
    if "decimal" in text:
        return " (CLI: --decimal ,)"
    if "date" in text:
        return " (CLI: --date-format)"
    return ""


def _check_bytes(name: str, facts: FileFacts, encoding: str) -> None:
    problems = []
    if encoding.lower() in ("utf-8", "utf8") and not facts.utf8_ok and facts.bom not in ("utf-16-le", "utf-16-be"):
        problems.append(Problem(name, facts.invalid_utf8_line, None, None,
                                "is not valid UTF-8 here (a damaged or mixed-encoding file); save it again as "
                                "CSV UTF-8"))
    if facts.max_line_bytes > MAX_LINE_BYTES:
        problems.append(Problem(name, facts.max_line_no, None, None,
                                f"the line is {facts.max_line_bytes:,} bytes long; the limit is "
                                f"{MAX_LINE_BYTES:,} bytes per line"))
    if problems:
        raise ImportRejected(problems)


def _utf8_lf(path: Path, facts: FileFacts, encoding: str, workdir: Path) -> Path:
    """The file as UTF-8 with one kind of line ending; the original when it already is."""
    utf8 = encoding.lower().replace("_", "-") in ("utf-8", "utf8") and facts.bom not in ("utf-16-le", "utf-16-be")
    if utf8 and not facts.lone_cr and not facts.crlf:
        return path
    target = workdir / "normalised.csv"
    codec = "utf-8-sig" if utf8 else encoding
    decoder = codecs.getincrementaldecoder(codec)("strict")
    pending_cr, quoted = False, False
    try:
        with path.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(CHUNK):
                text = decoder.decode(chunk)
                if pending_cr:
                    text = "\r" + text
                pending_cr = text.endswith("\r")
                if pending_cr:
                    text = text[:-1]
                text, quoted = _line_ends_outside_quotes(text, quoted)
                dst.write(text)
            tail = decoder.decode(b"", final=True) + ("\r" if pending_cr else "")
            dst.write(_line_ends_outside_quotes(tail, quoted)[0])
    except (UnicodeDecodeError, LookupError) as exc:
        raise ImportRejected([Problem(str(path.name), None, None, None,
                                      f"cannot be read as {encoding}: {exc}")]) from exc
    return target


def _line_ends_outside_quotes(text: str, quoted: bool) -> tuple[str, bool]:
    """``text`` with the line ends between records made LF (CRLF and a lone CR), and whether it ends inside a
    quoted value. Line breaks inside a quoted value are the value's own and stay as written (a note typed on
    Windows keeps its CRLF). Splitting at quotes alternates between outside and inside; an escaped quote ("")
    leaves an empty piece and so keeps the count right."""
    if "\r" not in text:
        return text, (quoted + text.count('"')) % 2 == 1
    pieces = text.split('"')
    for i in range(0 if not quoted else 1, len(pieces), 2):
        pieces[i] = pieces[i].replace("\r\n", "\n").replace("\r", "\n")
    return '"'.join(pieces), (quoted + len(pieces) - 1) % 2 == 1


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


def _load_and_merge(con, spec: Table, csv_path: Path, facts: FileFacts, name: str, proposal: Proposal,
                    chosen: ImportOptions, sha256: str, imported_by: str | None, report: Progress) -> ImportResult:
    """Type the file, check it, and write it in one transaction.

    The direct path types the file where it lies (no all-text copy of it); a clean file, which every
    column of the table names, is written from there. Anything to explain sends the import to the exact
    path, which stages the text first so that each problem can quote its value and line.
    """
    columns = {(m if m else f"_skip{i}"): "VARCHAR" for i, m in enumerate(proposal.mapping)}
    write = partial(_write, con, spec, columns, csv_path, facts, name, proposal, chosen, sha256, imported_by, report)
    if set(spec.column_names) <= set(columns):
        try:
            return write(direct=True)
        except _TakeExactPath:
            report("Looking closer at the file", 0.3)
    return write(direct=False)


def _write(con, spec: Table, columns: dict[str, str], csv_path: Path, facts: FileFacts, name: str,
           proposal: Proposal, chosen: ImportOptions, sha256: str, imported_by: str | None, report: Progress, *,
           direct: bool) -> ImportResult:
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
        created = 0
        if "customer_id" in spec.column_names and spec.name != "customers":
            created = db.scalar(cur, "create_missing_customers", {"import_id": import_id})
            if created:
                warnings.append(f"{created:,} customer ids were not in customers; a minimal customer row was "
                                "created for each")
        if spec.name == "orders":
            n, first = db.run(cur, "unknown_order_campaigns").fetchall()[0]
            if n:
                warnings.append(f"{n:,} orders name a campaign that is not in campaigns (first on line "
                                f"{src.lines_of({first}).get(first, '?')})")
        if spec.name == "customers":
            n, first = db.run(cur, "unknown_referrers").fetchall()[0]
            if n:
                warnings.append(f"{n:,} customers are referred by an unknown customer id")
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
                 and (spec.name != "contacts" or not db.run(cur, "unknown_campaign_rows").fetchall()))
        if not clean:
            raise _TakeExactPath
        return []
    problems = _cell_problems(cur, spec, src, proposal)
    problems += _duplicate_keys(cur, spec, src)
    if spec.name == "contacts":
        problems += _unknown_campaigns(cur, src)
    return problems


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


def _blank_lines(csv_path: Path) -> int:
    """Empty physical lines (the reader skips them), counted in one extra pass."""
    blank, previous = 0, b"\n"
    with csv_path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            arr = np.frombuffer(chunk, dtype=np.uint8)
            newline = arr == 10
            before = np.concatenate(([previous == b"\n"], newline[:-1]))
            blank += int(np.count_nonzero(newline & before))
            previous = chunk[-1:]
    return blank


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


def _unknown_campaigns(cur, src: _Source) -> list[Problem]:
    rows = db.run(cur, "unknown_campaign_rows").fetchall()
    lines = src.lines_of({r[0] for r in rows})
    return [Problem(src.name, lines.get(rec), "campaign_id", cid,
                    "this campaign is not in campaigns: import the campaigns file first") for rec, cid in rows]


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
    query = RULE_QUERIES.get(spec.name)
    rows = db.run(cur, query).fetchall() if query else []
    if not rows:
        return []
    lines = src.lines_of({r[1] for r in rows})
    by_rule: dict[str, list[str]] = {}
    for rule, rec in rows:
        by_rule.setdefault(rule, []).append(str(lines.get(rec, "?")))
    return [f"{rule}: lines {', '.join(found)}" + (" and more" if len(found) >= 20 else "")
            for rule, found in by_rule.items()]


def _table(table: str) -> Table:
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; choose one of: {', '.join(TABLES)}")
    return TABLES[table]


def _quote(value: str) -> str:
    value = value.replace("\n", "\\n")
    return repr(value[:60] + ("…" if len(value) > 60 else ""))


# --------------------------------------------------------------------------------------------------
# Ledger and undo


def ledger(con):
    """The import history, newest first (DataFrame, one row per import)."""
    cur = con.cursor()
    try:
        return db.query_df(cur, "import_ledger")
    finally:
        cur.close()


class UndoRefused(RuntimeError):
    """The import cannot be undone (unknown, already undone, or later imports build on it)."""


def undo_import(con, import_id: int, actor: Principal = LOCAL_ADMIN) -> str:
    """Undo one import: remove the rows it wrote and restore the rows it replaced. Returns a summary.

    An admin may undo any import, an editor only their own (the ledger's ``imported_by``); otherwise
    :class:`~crm_metrics.access.AccessDenied` is raised and nothing changes."""
    require(actor, "undo_own_import")
    with db.transaction(con) as cur:
        rows = db.run(cur, "ledger_entry", {"import_id": import_id}).fetchall()
        if not rows:
            raise UndoRefused(f"there is no import #{import_id}")
        _, table, created, undone_at, imported_by = rows[0]
        if imported_by != actor.user:
            require(actor, "undo_any_import")
        if undone_at is not None:
            raise UndoRefused(f"import #{import_id} was already undone on {undone_at:%Y-%m-%d %H:%M}")
        tables = [table] + (["customers"] if created else [])
        later = db.run(cur, "later_imports", {"import_id": import_id, "tables": tables}).fetchall()
        if later:
            raise UndoRefused("later imports changed the same table(s); undo them first, newest first: "
                              + ", ".join(f"#{i} ({t})" for i, t in later))
        before = _orphans(cur)
        for t in tables:
            db.execute(cur, "undo_table", {"import_id": import_id}, idents={"table": t, "history": f"{t}_history"})
        left = [(t, names, n, imports) for (t, names), (n, imports) in _orphans(cur).items()
                if n > before.get((t, names), (0, []))[0]]
        if left:  # raising rolls the transaction back: nothing was undone
            raise UndoRefused(f"undoing import #{import_id} ({table}) would leave "
                              + "; ".join(f"{n:,} {t} naming a {names} no longer stored (written by import"
                                          f"{'s' if len(imports) > 1 else ''} "
                                          + ", ".join(f"#{i}" for i in imports) + ")"
                                          for t, names, n, imports in left)
                              + ": undo those first, newest first")
        db.execute(cur, "mark_undone", {"import_id": import_id,
                                        "undone_at": dt.datetime.now(dt.UTC).replace(tzinfo=None)})
    db.checkpoint(con)
    return f"Import #{import_id} ({table}) undone."


def _orphans(cur) -> dict[tuple[str, str], tuple[int, list[int]]]:
    """(table, what it names) -> rows naming a customer or campaign not stored, and the imports that wrote them."""
    return {(t, names): (n, [i for i in imports if i is not None])
            for t, names, n, imports in db.run(cur, "orphan_rows").fetchall()}


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
        sweep_work_folders(now=now)
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
            _gunzip(path, path.parent, name).rename(target)
        finally:
            (path.parent / "decompressed.csv").unlink(missing_ok=True)
    return target


WORK_PREFIXES = ("crm-import-", "crm-source-", "crm-propose-")


def sweep_work_folders(*, now: float | None = None) -> int:
    """Remove the working folders of imports killed before their clean-up ran (``crm-import-*`` and the like in
    the temporary folder) once untouched for longer than :data:`UPLOAD_TTL_SECONDS`; how many. A running
    import touches its folder as it writes, so only a dead one's is that old."""
    cutoff = (time.time() if now is None else now) - UPLOAD_TTL_SECONDS
    removed = 0
    for prefix in WORK_PREFIXES:
        for folder in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
            with suppress(OSError):
                if folder.is_dir() and folder.stat().st_mtime < cutoff:
                    shutil.rmtree(folder, ignore_errors=True)
                    removed += 1
    return removed
