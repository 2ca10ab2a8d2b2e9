"""A source of your own from a mapping the user confirmed: next month's file in the same layout is recognised.

The Data page maps a file's columns to one table's canonical columns and confirms how to read it (decimal mark,
date format). :func:`mapping_source` writes that confirmation as a source file (see :mod:`crm_metrics.sources`):
its header line lists the file's mapped columns, and its SQL reads each one as the canonical column it was mapped
to, with the confirmed decimal mark and date format written into it. :func:`save` puts it in the sources folder,
where :func:`crm_metrics.sources.sources` finds it at once.

The SQL is generated, so every piece of the file's own text is checked before it is written: identifiers are the
normalised header (only ``a-z``, ``0-9`` and ``_``) and canonical column names from the schema, both double-quoted;
the file's header text appears only in comments' header line (refused when it holds the front matter's separators
or a line break) and in string literals with quotes doubled.
"""

from __future__ import annotations

import re
from pathlib import Path

from crm_metrics.access import LOCAL_ADMIN, Principal, require
from crm_metrics.importing import sources
from crm_metrics.importing.model import DATE_FORMATS
from crm_metrics.schema import TABLES, normalise_header

_NAME = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_IDENT = re.compile(r"^[a-z0-9_]+$")
_TIME = "%Y-%m-%d %H:%M:%S"


class MappingNotSaved(ValueError):
    """The mapping cannot be written as a source; the message says why."""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _squashed(text: str) -> str:
    return normalise_header(text).replace("_", "")


def _checked_header(cell: str) -> str:
    if any(ch in cell for ch in ",|\r\n") or not normalise_header(cell):
        raise MappingNotSaved(f"the column name {cell!r} cannot be a source's header (it holds a comma, a bar or a "
                              "line break, or no letter): rename it in the file, or import it as it is")
    return cell.strip()


def _reading(column, raw: str, decimal: str, date_format: str) -> tuple[str, str | None]:
    """The SQL expression giving the canonical text of one column, and the rule naming a value it cannot read."""
    value = f'"{raw}"'
    if column.kind == "date":
        return (f"strftime(crm_date(trim({value}), {_literal(date_format)}), '%Y-%m-%d')",
                f"not a date in the format {date_format}")
    if column.kind == "timestamp":
        return (f"strftime(crm_timestamp(trim({value}), {_literal(date_format)}), '{_TIME}')",
                f"not a date and time in the format {date_format} HH:MM")
    if column.kind == "money":
        mark = "decimal comma" if decimal == "," else "decimal point"
        return f"CAST(crm_money({value}, {_literal(decimal)}) AS VARCHAR)", f"not an amount with a {mark}"
    return f"crm_text({value})", None


def mapping_source(name: str, title: str, table: str, mapping: dict[str, str], decimal: str = ".",
                   date_format: str = "%Y-%m-%d") -> str:
    """The text of a source file reading a file whose columns map to ``table`` as ``mapping`` says.

    Parameters
    ----------
    name, title
        The source's name (lower case letters, digits and ``_``) and what it is, in words.
    table
        The table it writes.
    mapping
        The file's column, as its header writes it -> the canonical column of ``table`` it imports as (``"-"``:
        skipped). Every required column of the table must be mapped, each once.
    decimal, date_format
        The decimal mark and the date format the user confirmed (written into the source: next month's file is
        read the same way, never guessed again).

    Raises
    ------
    MappingNotSaved
        saying what is wrong: the name, a required column not mapped, a column mapped twice, a header that cannot
        be written.
    """
    if not _NAME.match(name):
        raise MappingNotSaved("a source's name is 2 to 40 lower-case letters, digits or _, starting with a letter")
    if name in {s.name for s in sources.sources()}:
        raise MappingNotSaved(f"a source named {name} exists: choose another name")
    if table not in TABLES:
        raise MappingNotSaved(f"no table named {table}")
    if date_format not in DATE_FORMATS:
        raise MappingNotSaved(f"{date_format} is not one of the import's date formats")
    if decimal not in (".", ","):
        raise MappingNotSaved("the decimal mark is . or ,")
    title = " ".join(title.split()) or name
    used = {head: target for head, target in mapping.items() if target and target != "-"}
    columns = {c.name: c for c in TABLES[table].columns}
    unknown = sorted(set(used.values()) - set(columns))
    twice = sorted({t for t in used.values() if list(used.values()).count(t) > 1})
    missing = [c.name for c in TABLES[table].columns if c.required and c.name not in used.values()]
    if unknown or twice or missing:
        raise MappingNotSaved("; ".join(
            [f"{table} has no column {', '.join(unknown)}"] * bool(unknown)
            + [f"two file columns import as {', '.join(twice)}"] * bool(twice)
            + [f"the required column(s) {', '.join(missing)} are not mapped"] * bool(missing)))
    if all(_squashed(head) == _squashed(target) for head, target in used.items()):
        raise MappingNotSaved(f"the file's columns are named as the {table} table's own: it needs no source (a source "
                              "with these columns would take over every such file)")
    headers = [_checked_header(head) for head in used]
    raws = [normalise_header(head) for head in headers]
    if len(set(raws)) < len(raws) or not all(_IDENT.match(r) for r in raws):
        raise MappingNotSaved("two mapped columns have the same name once case, spaces and punctuation are set aside")
    readings = {target: (head, raw, *_reading(columns[target], raw, decimal, date_format))
                for (head, target), raw in zip(used.items(), raws, strict=True)}
    return _source_text(name, title, table, headers, readings, decimal, date_format)


def _source_text(name: str, title: str, table: str, headers: list[str], readings: dict, decimal: str,
                 date_format: str) -> str:
    select = ",\n       ".join(f'{expr} AS "{target}"' for target, (_, _, expr, _) in readings.items())
    checks = [f"SELECT _line, {_literal(head)} AS column_name, r.\"{raw}\" AS value, {_literal(rule)} AS rule\n"
              f"FROM raw AS r JOIN {table}_read AS t USING (_line)\n"
              f"WHERE crm_null(trim(r.\"{raw}\")) IS NOT NULL AND t.\"{target}\" IS NULL"
              for target, (head, raw, _, rule) in readings.items() if rule]
    nothing = "SELECT _line, NULL AS column_name, NULL AS value, NULL AS rule FROM raw WHERE false"
    problems = "\nUNION ALL\n".join(checks) or nothing
    return (f"-- source: {name}\n-- title: {title.replace(chr(10), ' ')}\n-- header: {', '.join(headers)}\n"
            f"-- writes: {table}\n--\n"
            "-- Saved from a mapping confirmed on the Data page: each column of the file is read as the\n"
            f"-- {table} column it was mapped to, amounts with the decimal mark {decimal!r}, dates in the format\n"
            f"-- {date_format}. Edit it like any source (README, \"Your own layouts\").\n\n"
            f"-- grain: one row per line of the file\n"
            f"CREATE OR REPLACE TEMP VIEW {table}_read AS\nSELECT _line,\n       {select}\nFROM raw;\n\n"
            f"-- grain: one row per (line, column) that cannot be read\n"
            f"CREATE OR REPLACE TEMP VIEW source_problems AS\n{problems};\n\n"
            f"CREATE OR REPLACE TEMP VIEW source_{table} AS SELECT * FROM {table}_read;\n")


def save(text: str, folder: Path | None = None, actor: Principal = LOCAL_ADMIN) -> Path:
    """Write a source's text into the sources folder (``CRM_SOURCES``, else ``data/sources``) as ``<name>.sql``;
    the file is read back and parsed first, so a source that would not load is never written."""
    require(actor, "save_source")
    folder = Path(folder) if folder else sources.sources_folder()
    parsed = sources.parse(text, folder / "new.sql")
    target = folder / f"{parsed.name}.sql"
    if target.exists():
        raise MappingNotSaved(f"{target} exists: choose another name")
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target
