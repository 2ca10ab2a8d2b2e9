"""The proposal: a dialect (encoding, delimiter, decimal mark, date format) and a column mapping to confirm."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import tempfile
from dataclasses import replace
from pathlib import Path

from crm_metrics.importing.files import _not_csv_problem, _readable
from crm_metrics.importing.model import (
    _TIME_AFTER_DATE,
    DATE_FORMATS,
    DELIMITERS,
    MAX_COLUMNS,
    MAX_HEADER_CHARS,
    SNIFF_BYTES,
    Confirmation,
    FileFacts,
    ImportOptions,
    Problem,
    Proposal,
    _table,
)
from crm_metrics.schema import Table, match_column, normalise_header

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
        confirm.append(Confirmation("encoding", f"the file is not UTF-8; it reads as {encoding} text (encoding "
                                                f"'{encoding}')"))
    if not options.delimiter and delimiter != ",":
        confirm.append(Confirmation("delimiter", f"the columns are separated by {_delimiter_name(delimiter)}"))
    if not options.decimal and decimal != ".":
        confirm.append(Confirmation("decimal", "amounts use a decimal comma (1.234,56)"))
    if date_format is None:
        confirm.append(Confirmation("date_format", "the dates can be read in more than one way (" + " or ".join(
            f"{f} = {_example(f)}" for f in formats) + "): choose the date format"))
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
