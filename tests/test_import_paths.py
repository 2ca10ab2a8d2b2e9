"""The import's two paths: a file that names every column is typed where it lies (no all-text copy);
anything to explain goes to the exact path, which stages the text first. Both must end the same way:
the same rows stored, or the same problems named."""

from __future__ import annotations

import pytest
from db_helpers import ALL_TABLES, BASE_CAMPAIGNS, BASE_CUSTOMERS, BASE_ORDERS, NEGATIVE, snapshot

from crm_metrics import db
from crm_metrics.__main__ import main
from crm_metrics.importing import ImportRejected, files, import_file, load
from ui import uploads

HEADER = "order_id,customer_id,order_date,amount,channel,product_category,quantity,cost,campaign_id,status\n"
GOOD = "O7,C001,2024-02-01,12.50,web,Books,1,5.00,K1,completed\n"


@pytest.fixture
def queries(monkeypatch):
    """The names of the query files an import runs, in order."""
    seen: list[str] = []
    original = db.run

    def recording(cur, name, params=None, idents=None):
        seen.append(name)
        return original(cur, name, params, idents)

    monkeypatch.setattr(db, "run", recording)
    return seen


def stored(con) -> dict[str, list]:
    """Every row of every table (the ledger without its clock time)."""
    out = {}
    for table in ALL_TABLES:
        # identifiers from a fixed tuple in test code
        rows = con.execute(f'SELECT * EXCLUDE (imported_at) FROM "{table}"' if table == "import_ledger"
                           else f'SELECT * FROM "{table}"').fetchall()
        out[table] = sorted(rows, key=repr)
    return out


def outcome(con, table, path):
    """What an import ends with: the problems it names, or its counts and warnings; and every stored row."""
    try:
        result = import_file(con, table, path)
    except ImportRejected as exc:
        return "rejected", [str(p) for p in exc.problems], stored(con)
    return "imported", (result.inserted, result.updated, result.unchanged, result.customers_created,
                        result.warnings), stored(con)


def test_a_clean_file_naming_every_column_is_typed_where_it_lies(seeded, write, queries):
    result = import_file(seeded, "orders", write("o.csv", HEADER + GOOD + "O8,C009,2024-02-02,3,store,Toys,2,1,,\n"))
    assert (result.inserted, result.customers_created) == (2, 1)
    assert "stage_view" in queries and "load_stage" not in queries
    stored = seeded.execute("SELECT order_id, customer_id, CAST(amount AS VARCHAR), quantity, status FROM orders "
                            "WHERE order_id IN ('O7', 'O8') ORDER BY 1").fetchall()
    assert stored == [("O7", "C001", "12.50", 1, "completed"), ("O8", "C009", "3.00", 2, "completed")]


def test_a_file_without_some_columns_is_staged(seeded, write, queries):
    import_file(seeded, "orders", write("o.csv", "order_id,customer_id,order_date,amount\nO7,C001,2024-02-01,1\n"))
    assert "load_stage" in queries and "stage_view" not in queries


def test_a_bad_value_met_directly_is_named_by_the_exact_path(seeded, write, queries):
    before = snapshot(seeded)
    with pytest.raises(ImportRejected) as err:
        import_file(seeded, "orders", write("o.csv", HEADER + GOOD + "O8,C001,2024-02-02,twelve,web,Books,1,,,\n"))
    assert [str(p) for p in err.value.problems] == [
        "o.csv:3: column amount: not an amount with a decimal point (write e.g. 1234.50 or 1,234.50; at most two "
        "decimals and ten digits before the decimal point, below 10,000,000,000 in absolute value) 'twelve'"]
    assert queries.index("stage_view") < queries.index("load_stage")
    assert snapshot(seeded) == before


CASES = {
    "clean": HEADER + GOOD,
    "bad amount": HEADER + GOOD + "O8,C001,2024-02-02,x,web,Books,1,5,,completed\n",
    "bad optional quantity": HEADER + GOOD + "O8,C001,2024-02-02,4,web,Books,two,5,,completed\n",
    "duplicate key": HEADER + GOOD + GOOD,
    "too many fields": HEADER + GOOD + "O8,C001,2024-02-02,4,web,Books,1,5,,completed,extra\n",
    "unclosed quote": HEADER + GOOD + 'O8,C001,2024-02-02,4,web,"Books,1,5,,completed\n',
    "blank line": HEADER + GOOD + "\n" + "O8,C001,2024-02-02,-4,web,Books,1,5,,completed\n",
    "line break in a value": HEADER + 'O6,C001,2024-02-01,1,web,"Books\nand more",1,5,,completed\n'
                             + "O8,C001,2024-02-02,-4,web,Books,0,5,K404,completed\n",
    "warnings on known lines": HEADER + GOOD + "O8,C001,2024-02-02,-4,web,Books,0,5,K404,completed\n",
    "repeated header": HEADER + GOOD + HEADER,
    "an existing key updated": HEADER + "O1,C001,2024-01-05,11.50,web,Books,1,5,,completed\n",
    "an identical row": HEADER + GOOD.replace("O7", "O1"),
    "crlf": (HEADER + GOOD).replace("\n", "\r\n"),
    "unknown status": HEADER + "O8,C001,2024-02-02,4,web,Books,1,5,,lost\n",
}


@pytest.mark.parametrize("case", CASES)
def test_both_paths_end_the_same_way(con, write, monkeypatch, case):
    """Independent check: the same file imported with the direct path switched off."""
    def seeded_db():
        connection = db.connect(":memory:")
        for table, text in (("customers", BASE_CUSTOMERS), ("campaigns", BASE_CAMPAIGNS), ("orders", BASE_ORDERS)):
            import_file(connection, table, write(f"base_{table}.csv", text))
        return connection

    path = write("case.csv", CASES[case])
    direct = outcome(seeded_db(), "orders", path)

    def exact_only(*args, **kwargs):
        raise load._TakeExactPath

    monkeypatch.setattr(load, "_type_directly", exact_only)
    exact = outcome(seeded_db(), "orders", path)
    assert direct == exact


def test_warning_lines_are_physical_lines(seeded, write):
    result = import_file(seeded, "orders", write("w.csv", CASES["line break in a value"]))
    assert f"{NEGATIVE}: lines 4" in result.warnings
    assert any("first on line 4" in w for w in result.warnings)
    result = import_file(seeded, "orders", write("v.csv", CASES["warnings on known lines"]))
    assert f"{NEGATIVE}: lines 3" in result.warnings
    assert "zero or negative quantity on a completed order: lines 3" in result.warnings


@pytest.mark.parametrize("name", ["orders[1].csv", "orders*.csv", "orders?.csv", "orders{1,2}.csv"])
def test_a_file_name_with_pattern_characters_reads_that_file_and_no_other(con, tmp_path, name, capsys):
    (tmp_path / "orders1.csv").write_text("order_id,customer_id,order_date,amount\nWRONG,C9,2024-01-01,1\n")
    named = tmp_path / name
    named.write_text("order_id,customer_id,order_date,amount\nO1,C1,2024-01-02,5\nO2,C2,2024-01-03,6\n")
    result = import_file(con, "orders", named)
    assert sorted(r[0] for r in con.execute("SELECT order_id FROM orders").fetchall()) == ["O1", "O2"]
    assert result.file_name == name
    database = str(tmp_path / "cli.duckdb")
    assert main(["--db", database, "import", "orders", str(named)]) == 0
    assert "2 rows" in capsys.readouterr().out


def test_a_plain_csv_named_gz_is_read_as_the_text_it_is(con, tmp_path):
    """Issue 25.10: DuckDB took the .gz in the name for gzip and refused with an IO error."""
    path = tmp_path / "customers.csv.gz"
    path.write_text("customer_id,name\nC1,Ann\n")
    assert import_file(con, "customers", path).inserted == 1


def test_an_upload_is_unpacked_once_and_a_damaged_one_is_named(tmp_path, monkeypatch):
    import gzip

    packed = gzip.compress(b"customer_id,name\n" + b"C1,Ann\n" * 1000)
    path = uploads.copy_upload(packed, "people.csv.gz", tmp_path)
    calls = []
    real = files._gunzip
    monkeypatch.setattr(files, "_gunzip", lambda *a: calls.append(a) or real(*a))
    first = uploads.readable_upload(path, "people.csv.gz")
    assert uploads.readable_upload(path, "people.csv.gz") == first and len(calls) == 1  # every rerun reads it
    assert first.read_bytes().startswith(b"customer_id,name\nC1,Ann\n")
    (tmp_path / "cut").mkdir()
    damaged = uploads.copy_upload(packed[: len(packed) // 2], "cut.csv.gz", tmp_path / "cut")
    with pytest.raises(ImportRejected, match="cut.csv.gz: is not a readable gzip file"):
        uploads.readable_upload(damaged, "cut.csv.gz")


def test_working_folders_of_killed_imports_are_swept_once_a_day_old(tmp_path, monkeypatch):
    import os
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    old, fresh = tmp_path / "crm-import-dead", tmp_path / "crm-source-running"
    old.mkdir()
    fresh.mkdir()
    (tmp_path / "crm-import-note.txt").write_text("not a folder")
    day_ago = files.time.time() - files.WORK_TTL_SECONDS - 60
    os.utime(old, (day_ago, day_ago))
    assert files.sweep_work_folders() == 1
    assert not old.exists() and fresh.exists()


def test_the_free_space_check_includes_the_temporary_folder(con, tmp_path, monkeypatch):
    import tempfile

    real = load.shutil.disk_usage
    temp = tempfile.gettempdir()
    monkeypatch.setattr(load.shutil, "disk_usage",
                        lambda p: real(p)._replace(free=50 * 1024**2) if str(p) == temp else real(p))
    problem = load.free_space_problem(db.connect(tmp_path / "crm.duckdb"))
    assert problem is not None and "the temporary folder" in problem and temp in problem
