"""Browser tests: the real app in a subprocess on a free port with its own database, driven by
Debian's Chromium through Playwright (never `playwright install`: it downloads a browser)."""

from __future__ import annotations

import csv
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(db_path: Path, **extra_env: str):
    port = _free_port()
    # a new database file gets the workshop sample, as scripts/run.sh starts its default database
    env = {**os.environ, "CRM_DB": str(db_path), "CRM_FIRST_START": "sample", **extra_env}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.serve", "--server.address", "127.0.0.1", "--server.port",
         str(port), "--server.headless", "true", "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    if healthy(url):
        return proc, url
    proc.terminate()
    raise RuntimeError("the app did not start within 90 s")


def healthy(url: str, seconds: float = 90) -> bool:
    """Whether the app at ``url`` answers its health check within ``seconds``."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def stop_app(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser_instance():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def app_url(tmp_path):
    proc, url = start_app(tmp_path / "browser.duckdb")  # no file yet: first start loads the sample
    yield url
    stop_app(proc)


@pytest.fixture
def empty_app_url(tmp_path):
    from crm_metrics import db

    db.connect(tmp_path / "empty.duckdb").close()
    proc, url = start_app(tmp_path / "empty.duckdb")
    yield url
    stop_app(proc)


@pytest.fixture
def hostile_app_url(tmp_path):
    from browser_helpers import HOSTILE

    """An app on a database whose customers, campaign and survey comment carry markup."""
    from crm_metrics import db
    from crm_metrics.importing import import_file

    path = tmp_path / "hostile.duckdb"
    con = db.connect(path)
    files = {
        "customers": "customer_id,name,email\n" + "".join(f'{k},"{v}",{k.lower()}@example.com\n'
                                                            for k, v in HOSTILE.items()),
        "campaigns": "campaign_id,name,channel,start_date,cost\nK1,<img src=x onerror=alert(2)>,Email,2024-01-01,10\n",
        "orders": "order_id,customer_id,order_date,amount,campaign_id\nO1,X1,2024-01-05,10,K1\nO2,X2,2024-01-06,20,\n",
        "contacts": "campaign_id,customer_id,contact_date\nK1,X1,2024-01-02\n",
        "surveys": "customer_id,survey_date,csat,nps,comment\nX1,2024-01-10,1,0,\"[c](javascript:alert(3))\"\n",
    }
    for table, text in files.items():
        csv_path = tmp_path / f"{table}.csv"
        csv_path.write_text(text, encoding="utf-8")
        import_file(con, table, csv_path)
    con.close()
    proc, url = start_app(path)
    yield url
    stop_app(proc)


@pytest.fixture
def signed_in_app_url(tmp_path):
    """The app with local accounts (CRM_AUTH=local): vera is a viewer, ed an editor."""
    from crm_metrics import accounts

    users = tmp_path / "users.json"
    accounts.add_user("vera", "viewer", "viewer-password", users)
    accounts.add_user("ed", "editor", "editor-password", users)
    proc, url = start_app(tmp_path / "browser.duckdb", CRM_AUTH="local", CRM_USERS=str(users))
    yield url
    stop_app(proc)


# imported text that is markup in every text field: a remote image, links, bold, a Streamlit directive
MARKUP = {"image": "![b](http://evil.example/pixel.png)", "link": "[ch](https://evil.example/)",
          "bold": "<b>boldcat</b>", "anchor": '<a href="https://evil.example/">x</a>', "directive": ":red[loud]"}


@pytest.fixture
def markup_app_url(tmp_path):
    """An app on a database whose every text field (customers, orders, campaigns, tickets, surveys) is markup."""
    from crm_metrics import db
    from crm_metrics.importing import import_file

    m = MARKUP
    rows = {
        "customers": [["customer_id", "name", "email", "region", "country", "city", "acquisition_channel", "gender",
                       "signup_date"]]
        + [[f"M{i}", m["link"], f"m{i}@example.com", m["bold"], m["anchor"], m["image"], m["directive"], m["bold"],
            f"2023-0{1 + i % 9}-01"] for i in range(1, 9)],
        "campaigns": [["campaign_id", "name", "channel", "start_date", "cost", "objective", "target_segment"],
                      ["K1", m["anchor"], m["link"], "2024-01-01", "100", m["bold"], m["image"]]],
        "orders": [["order_id", "customer_id", "order_date", "amount", "channel", "product_category", "campaign_id"]]
        + [[f"O{i}", f"M{1 + i % 8}", f"2024-0{1 + i % 6}-{10 + i % 18}", str(20 + i), m["anchor"], m["bold"],
            "K1" if i % 2 else ""] for i in range(1, 25)],
        "contacts": [["campaign_id", "customer_id", "contact_date"], ["K1", "M1", "2024-01-02"],
                     ["K1", "M2", "2024-01-02"]],
        "tickets": [["ticket_id", "customer_id", "opened_at", "closed_at", "category", "channel", "satisfaction"],
                    ["T1", "M1", "2024-02-01 10:00", "2024-02-02 10:00", m["bold"], m["link"], "2"]],
        "surveys": [["customer_id", "survey_date", "csat", "nps", "comment"], ["M1", "2024-03-01", "4", "9", m["image"]]],
    }
    path = tmp_path / "markup.duckdb"
    con = db.connect(path)
    for table, lines in rows.items():
        csv_path = tmp_path / f"{table}.csv"
        with csv_path.open("w", newline="", encoding="utf-8") as out:
            csv.writer(out).writerows(lines)
        import_file(con, table, csv_path)
    con.close()
    proc, url = start_app(path)
    yield url
    stop_app(proc)
