"""`pip install .` and the console scripts: the container's own command (the Dockerfile's CMD and ENV, with the
port and the data folder moved to the test's) starts the installed app outside Docker, from a folder that holds no
checkout; its healthcheck passes; and `crm-metrics report kpis` reads while the app holds the database."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from browser_helpers import settle
from conftest import _free_port, healthy
from test_packaging import _instructions

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The package built from this checkout and installed (without its dependencies, which this environment has)
    into a folder of its own; its console scripts are in ``bin``."""
    target = tmp_path_factory.mktemp("installed")
    wheels = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    wheel = next(wheels.glob("crm_dashboard-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target),
                    str(wheel)], check=True, capture_output=True, timeout=600)
    return target


def _environment(installed: Path, data: Path) -> dict[str, str]:
    """The Dockerfile's ENV with /data moved to ``data``, and the installed package first on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRM_", "STREAMLIT_"))}
    for kind, value in _instructions((ROOT / "Dockerfile").read_text()):
        if kind == "ENV":
            for key, setting in re.findall(r"(\w+)=(\S+)", value):
                env[key] = setting.replace("/data", str(data))
    env.update(CRM_AUTH="none", CRM_FIRST_START="sample", PYTHONPATH=str(installed))  # no accounts to sign in with
    env.pop("CRM_CHROMIUM", None)
    return env


def test_the_installed_app_runs_the_container_command_and_the_cli_reads_while_it_runs(installed, browser_instance,
                                                                                   tmp_path):
    steps = _instructions((ROOT / "Dockerfile").read_text())
    command = json.loads(next(v for k, v in steps if k == "CMD"))
    port = str(_free_port())
    command = [str(installed / "bin" / command[0]), *["127.0.0.1" if a == "0.0.0.0" else port if a == "8501" else a
                                                      for a in command[1:]]]
    data = tmp_path / "data"
    data.mkdir()
    env = _environment(installed, data)
    app = subprocess.Popen(command, cwd=data, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        assert healthy(url), "the installed app did not start"
        health = next(v for k, v in steps if k == "HEALTHCHECK").split("CMD", 1)[1].strip().replace("8501", port)
        assert subprocess.run(health, shell=True, env=env, timeout=30).returncode == 0  # the image's healthcheck
        page = browser_instance.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(url + "/overview")  # the first visit opens the database (and loads the sample into it)
        settle(page)
        page.get_by_text("How are we doing with our customers?").wait_for(timeout=60_000)
        cli = [str(installed / "bin" / "crm-metrics"), "report", "kpis", "--as-of", "2026-09-30", "--format", "json"]
        out = subprocess.run(cli, cwd=data, env=env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        assert "the running dashboard holds the database" in out.stderr
        revenue = next(r for r in json.loads(out.stdout) if r["key"] == "revenue")
        assert revenue["value"] > 0 and revenue["period_end"].startswith("2026-09-30")
        # an import while the app runs is queued for it, and the command says how it ended
        good, bad = tmp_path / "more.csv", tmp_path / "bad.csv"
        good.write_text("customer_id,name\nQ1,Queued person\n", encoding="utf-8")
        bad.write_text("order_id,customer_id,order_date,amount\nZ1,Q1,2024-01-01,abc\n", encoding="utf-8")
        crm = str(installed / "bin" / "crm-metrics")
        out = subprocess.run([crm, "import", "customers", str(good)], cwd=data, env=env, capture_output=True,
                             text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        assert "queued for it as job" in out.stderr and "more.csv -> customers: 1 rows; 1 inserted" in out.stdout
        out = subprocess.run([crm, "import", "orders", str(bad)], cwd=data, env=env, capture_output=True, text=True,
                             timeout=300)
        assert out.returncode == 1 and "bad.csv:2: column amount: not an amount" in out.stderr
        tables = subprocess.run([crm, "report", "tables", "--format", "json"], cwd=data, env=env,
                                capture_output=True, text=True, timeout=300)
        counts = {t["table_name"]: t["row_count"] for t in json.loads(tables.stdout)}
        assert counts["customers"] == 5001  # the sample's 5,000 and the queued one
        listed = subprocess.run([crm, "queue"], cwd=data, env=env, capture_output=True, text=True, timeout=60)
        assert re.search(r"imported\s+more\.csv", listed.stdout) and "refused (exit 1)  bad.csv" in listed.stdout
        page.close()
        # the app came from the installed folder, not from a checkout
        assert (installed / "ui" / "serve.py").exists() and not (data / "ui").exists()
    finally:
        app.terminate()
        app.wait(timeout=20)
    assert not (data / "crm.duckdb.app").exists()  # the app forgets its address when it stops
