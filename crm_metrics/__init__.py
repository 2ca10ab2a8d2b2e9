"""Analytical CRM metrics on an embedded DuckDB database: pure Python and SQL, no UI.

>>> import crm_metrics
>>> con = crm_metrics.connect(":memory:")
>>> crm_metrics.report(con, "tables")["row_count"].sum()
0

``report`` (and ``crm_metrics.workbench.Workbench``) bring the reporting layer up to date after an import; the
concept modules' functions read it as it is: call ``crm_metrics.reporting.ensure_current(con)`` after writing
and before calling them directly.
"""

from crm_metrics import campaigns as _campaigns  # noqa: F401  (registers the campaign reports)
from crm_metrics import churn as _churn  # noqa: F401  (registers the churn report)
from crm_metrics import clv as _clv  # noqa: F401  (registers the CLV reports)
from crm_metrics import cohorts as _cohorts  # noqa: F401  (registers the cohort report)
from crm_metrics import drivers as _drivers  # noqa: F401  (registers the KPI-drivers report)
from crm_metrics import kpis as _kpis  # noqa: F401  (registers the KPI reports)
from crm_metrics import learn as _learn  # noqa: F401  (registers the loyalty-ladder report)
from crm_metrics import rfm as _rfm  # noqa: F401  (registers the RFM reports)
from crm_metrics import satisfaction as _satisfaction  # noqa: F401  (registers the satisfaction report)
from crm_metrics.db import DatabaseInUse, connect
from crm_metrics.importing import ImportOptions, ImportRejected, import_file, propose, undo_import
from crm_metrics.reports import REPORTS, report

__all__ = [
    "REPORTS", "DatabaseInUse", "ImportOptions", "ImportRejected", "connect", "import_file", "propose",
    "report", "undo_import",
]
