"""The command line contract: exit codes, messages on stderr as FILE:LINE: column COL: problem."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cli(*args, db):
    return subprocess.run([sys.executable, "-m", "crm_metrics", "--db", str(db), *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_init_sample_import_report_undo(tmp_path):
    database = tmp_path / "cli.duckdb"
    assert cli("init", db=database).returncode == 0
    out = cli("sample", "--customers", "1000", "--seed", "3", db=database)
    assert out.returncode == 0 and "1,000 customers" in out.stdout
    assert cli("sample", db=database).returncode == 2  # refuses to overwrite without --replace

    good = tmp_path / "more.csv"
    good.write_text("customer_id,name\nX1,New person\n", encoding="utf-8")
    out = cli("import", "customers", str(good), db=database)
    assert out.returncode == 0 and "1 inserted" in out.stdout

    bad = tmp_path / "bad.csv"
    bad.write_text("order_id,customer_id,order_date,amount\nZ1,X1,2024-01-01,abc\n", encoding="utf-8")
    out = cli("import", "orders", str(bad), db=database)
    assert out.returncode == 1
    assert out.stderr.splitlines()[0].startswith("bad.csv:2: column amount: not an amount")

    tables = json.loads(cli("report", "tables", "--format", "json", db=database).stdout)
    assert {t["table_name"]: t["row_count"] for t in tables}["customers"] == 1001

    ledger = cli("imports", db=database).stdout
    assert "more.csv" in ledger
    last_id = max(int(line.split()[0]) for line in ledger.splitlines()[1:])
    assert cli("undo", str(last_id), db=database).returncode == 0
    tables = json.loads(cli("report", "tables", "--format", "json", db=database).stdout)
    assert {t["table_name"]: t["row_count"] for t in tables}["customers"] == 1000
    assert cli("undo", str(last_id), db=database).returncode == 2  # already undone


def test_confirmation_flags(tmp_path):
    database = tmp_path / "c.duckdb"
    semi = tmp_path / "eu.csv"
    semi.write_text("order_id;customer_id;order_date;amount\nO1;C1;2024-02-01;1.234,56\n", encoding="utf-8")
    out = cli("import", "orders", str(semi), db=database)
    assert out.returncode == 1 and "--delimiter" in out.stderr and "--decimal" in out.stderr
    out = cli("import", "orders", str(semi), "--delimiter", ";", "--decimal", ",", db=database)
    assert out.returncode == 0, out.stderr
    csv_out = cli("report", "quality", "--format", "csv", db=database).stdout
    assert csv_out.startswith("check_name,table_name,affected,total,share,meaning")


def test_mapping_flag(tmp_path):
    database = tmp_path / "m.duckdb"
    odd = tmp_path / "odd.csv"
    odd.write_text("ref,who,when,paid\nO1,C1,2024-02-01,5\n", encoding="utf-8")
    assert cli("import", "orders", str(odd), db=database).returncode == 1
    out = cli("import", "orders", str(odd), "--map", "ref=order_id", "--map", "who=customer_id",
              "--map", "when=order_date", "--map", "paid=amount", db=database)
    assert out.returncode == 0, out.stderr


def test_usage_errors_exit_2(tmp_path):
    assert cli("import", "nosuchtable", "x.csv", db=tmp_path / "u.duckdb").returncode == 2
    assert cli("import", "orders", str(tmp_path / "missing.csv"), db=tmp_path / "u.duckdb").returncode == 2


def test_why_and_the_kpi_drivers_report(tmp_path):
    database = tmp_path / "why.duckdb"
    assert cli("sample", "--customers", "1000", "--seed", "3", db=database).returncode == 0
    out = cli("why", "--days", "60", db=database)
    assert out.returncode == 0, out.stderr
    first, *dimensions = out.stdout.splitlines()
    assert " against the previous period" in first and first.startswith("0")  # "02 Aug 2026 – 30 Sep 2026: ..."
    assert [d.split(":")[0].strip() for d in dimensions] == ["Region", "Sales channel", "Acquisition channel",
                                                             "Product category", "Segment (RFM, latest)",
                                                             "New vs returning"]
    rows = json.loads(cli("report", "kpi-drivers", "--days", "60", "--format", "json", db=database).stdout)
    kpis = json.loads(cli("report", "kpis", "--days", "60", "--format", "json", db=database).stdout)
    revenue = next(k for k in kpis if k["key"] == "revenue")
    for dimension in {r["dimension"] for r in rows}:  # every split adds up to the KPI report's own change
        total = sum(r["change"] for r in rows if r["dimension"] == dimension)
        assert abs(total - (revenue["value"] - revenue["previous"])) < 1e-6, dimension
    wrong = cli("report", "tables", "--kpi", "aov", db=database)
    assert wrong.returncode == 2 and "does not take --kpi" in wrong.stderr


def test_alerts_exit_1_when_one_fires_for_cron(tmp_path):
    database = tmp_path / "alerts.duckdb"
    assert cli("sample", "--customers", "1000", "--seed", "3", db=database).returncode == 0
    quiet = cli("alerts", db=database)
    assert quiet.returncode == 0 and quiet.stdout.strip() == "No alerts set."
    kpis = {k["key"]: k for k in json.loads(cli("report", "kpis", "--days", "30", "--format", "json",
                                                 db=database).stdout)}
    revenue = kpis["revenue"]["value"]
    # a threshold just under the last 30 days' revenue: quiet; just over it: fires
    assert cli("alerts", "add", "revenue", "--below", str(revenue - 1), db=database).returncode == 0
    out = cli("alerts", db=database)
    assert out.returncode == 0 and out.stdout.startswith("ok     #1  Revenue below $")
    assert cli("alerts", "add", "revenue", "--below", str(revenue + 1), db=database).returncode == 0
    out = cli("alerts", db=database)
    assert out.returncode == 1 and "FIRED  #2  Revenue below $" in out.stdout
    assert cli("alerts", "remove", "2", db=database).returncode == 0
    assert cli("alerts", db=database).returncode == 0
    assert cli("alerts", "remove", "2", db=database).returncode == 2  # gone already
    # the change: the KPI report's own change, relative
    change = kpis["revenue"]["change"]
    assert cli("alerts", "add", "revenue", "--change", "--above", str(change - 0.001), db=database).returncode == 0
    out = cli("alerts", db=database)
    assert out.returncode == 1 and "FIRED  #2  Revenue change above" in out.stdout


def test_targets_from_a_file_all_or_nothing(tmp_path):
    database = tmp_path / "targets.duckdb"
    assert cli("init", db=database).returncode == 0
    bad = tmp_path / "goals.csv"
    bad.write_text("kpi,period_start,period_end,target\nrevenue,2026-07-01,2026-09-30,300000\n"
                   "churn,2026-07-01,2026-09-30,0.3\n", encoding="utf-8")
    out = cli("targets", "import", str(bad), db=database)
    assert out.returncode == 1 and out.stderr.startswith("goals.csv:3: column kpi: unknown KPI 'churn'")
    assert cli("targets", "list", db=database).stdout.strip() == "No targets set."
    bad.write_text("kpi,period_start,period_end,target\nrevenue,2026-07-01,2026-09-30,300000\n"
                   "churn_rate,2026-07-01,2026-09-30,30%\n", encoding="utf-8")
    out = cli("targets", "import", str(bad), db=database)
    assert out.returncode == 0 and out.stdout.strip() == "2 targets stored."
    listed = cli("targets", "list", db=database).stdout
    assert "revenue   2026-07-01 2026-09-30 300000.0" in listed and "churn_rate" in listed
