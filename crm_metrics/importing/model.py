"""What an import is: the options a user confirms, the facts of a file, problems, results, and the limits."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from crm_metrics.schema import TABLES, Table

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


@dataclass(frozen=True)
class Confirmation:
    """A reading of the file the user must confirm: which setting it is (``encoding``, ``delimiter``,
    ``decimal`` or ``date_format``: a field of :class:`ImportOptions`) and the sentence that says it."""

    setting: str
    text: str


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
    needs_confirmation: list[Confirmation]
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


def _table(table: str) -> Table:
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; choose one of: {', '.join(TABLES)}")
    return TABLES[table]


def _quote(value: str) -> str:
    value = value.replace("\n", "\\n")
    return repr(value[:60] + ("…" if len(value) > 60 else ""))
