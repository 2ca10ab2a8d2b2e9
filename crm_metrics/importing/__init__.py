"""The import: the files users give, read strictly into the canonical tables, all or nothing.

Modules, in the order a file goes through them:

- :mod:`~crm_metrics.importing.files`: reading and sniffing. The bytes scanned once (SHA-256, what the file
  really is: CSV, Excel, zip, PDF, gzip; encoding validity, line ends, the longest line), gzip unpacked under a
  cap, the text made UTF-8 with one kind of line end between records.
- :mod:`~crm_metrics.importing.proposal`: a dialect (encoding, delimiter, decimal mark, date format) and a
  mapping of the file's columns to the canonical ones. Anything but UTF-8, comma, decimal point and an
  unambiguous date format must be confirmed by the caller (``ImportOptions``), never guessed silently.
- :mod:`~crm_metrics.importing.sources` and :mod:`~crm_metrics.importing.saved_sources`: the layouts tools
  export, recognised from the header and turned into canonical rows by one SQL file each; a confirmed mapping
  saved as such a file.
- :mod:`~crm_metrics.importing.load`: typing and validation, and the merge. The file is read strictly (our
  column names, never the header's), typed with ``sql/typed_<table>.sql``, its keys and references checked, and
  merged with ``sql/merge_import.sql`` in one transaction that also writes the ledger row. Any problem rejects
  the whole file and leaves every table as it was; problems name file, physical line, column, value, rule. A
  file that names every column is typed where it lies (``sql/stage_view.sql``); the first sign of anything to
  explain (a reject, a bad value, a duplicate key, records that are not one per line) rolls that back and the
  file is staged as text first (``sql/load_stage.sql``), so that each problem can quote its raw value.
- :mod:`~crm_metrics.importing.ledger`: the history of imports, and undo.

What the import accepts is listed in the README ("What the import accepts").
"""

from crm_metrics.importing.files import scan_file, sweep_work_folders
from crm_metrics.importing.ledger import UndoRefused, ledger, undo_import
from crm_metrics.importing.load import database_file_problem, free_space_problem, import_file, min_free_bytes
from crm_metrics.importing.model import (
    DATE_FORMATS,
    MAX_LINE_BYTES,
    FileFacts,
    ImportFailed,
    ImportOptions,
    ImportRejected,
    ImportResult,
    Problem,
    Proposal,
)
from crm_metrics.importing.proposal import propose

__all__ = ["DATE_FORMATS", "MAX_LINE_BYTES", "FileFacts", "ImportFailed", "ImportOptions", "ImportRejected",
           "ImportResult", "Problem", "Proposal", "UndoRefused", "database_file_problem", "free_space_problem",
           "import_file", "ledger", "min_free_bytes", "propose", "scan_file", "sweep_work_folders", "undo_import"]
