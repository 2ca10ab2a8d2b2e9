"""Shared fixtures: a throw-away database with a little data, and a table snapshot for
"nothing changed" checks (count and content hash of every table, as bad-inputs.md asks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from db_helpers import BASE_CAMPAIGNS, BASE_CUSTOMERS, BASE_ORDERS

from crm_metrics import db, reporting
from crm_metrics.importing import import_file


@pytest.fixture(autouse=True)
def dollars_after_each_test():
    """The currency is process-wide (one database per process): a test that writes pounds leaves dollars."""
    yield
    from crm_metrics import currency

    currency.use(currency.DEFAULT)


@pytest.fixture
def con():
    connection = db.connect(":memory:")
    yield connection
    connection.close()


@pytest.fixture
def write(tmp_path: Path):
    """write(name, text_or_bytes, encoding='utf-8') -> path of a file in a temporary folder."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return _write


@pytest.fixture
def seeded(con, write):
    """A database holding two customers, one campaign and two orders."""
    import_file(con, "customers", write("base_customers.csv", BASE_CUSTOMERS))
    import_file(con, "campaigns", write("base_campaigns.csv", BASE_CAMPAIGNS))
    import_file(con, "orders", write("base_orders.csv", BASE_ORDERS))
    reporting.ensure_current(con)  # what an entry point does before any read
    return con



@pytest.fixture(scope="module")
def sample_con():
    """A throw-away database holding a small seeded sample (shared by a test module)."""
    from crm_metrics.sample import SampleParams, load_sample

    connection = db.connect(":memory:")
    load_sample(connection, SampleParams(customers=1500, seed=11))
    reporting.ensure_current(connection)  # what an entry point does before any read
    yield connection
    connection.close()
