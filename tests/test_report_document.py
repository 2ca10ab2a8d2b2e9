"""The Overview as a document that travels: a static HTML file under 1 MB and a PDF of a few pages, with the period
and the filters written on them (user text escaped), made by the Overview's button and by `digest` for cron. The
PDF's pages are rendered to PNG (screenshots/digest-page-N.png) to be looked at."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crm_metrics import db, targets
from crm_metrics.filters import Filters
from crm_metrics.importing import import_file
from crm_metrics.kpis import Period
from crm_metrics.reporting import ensure_current
from crm_metrics.sample import SampleParams, load_sample

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "screenshots"
pytestmark = pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium draws and prints the document")
PERIOD = Period(dt.date(2026, 7, 3), dt.date(2026, 9, 30))


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("doc") / "doc.duckdb"
    con = db.connect(path)
    load_sample(con, SampleParams(customers=1500, seed=7))
    con.close()
    return path


def test_the_document_writes_the_period_and_the_escaped_filters_and_prints_to_a_few_pages(sample_db, tmp_path,
                                                                                          write):
    import pypdfium2 as pdfium

    from ui import report_document

    con = db.connect(sample_db)
    try:
        import_file(con, "customers", write("c.csv", "customer_id,region\n1,<script>alert(1)</script>\n"))
        cur = con.cursor()
        ensure_current(cur)
        hostile = Filters().with_values("region", ["Europe", "<script>alert(1)</script>"])
        document = report_document.overview_document(cur, PERIOD, hostile, dt.datetime(2026, 12, 4, 8, 0))
        cur.close()
    finally:
        con.close()
    page = document.html
    assert len(page.encode("utf-8")) < 1_000_000
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Period: 03 Jul 2026 – 30 Sep 2026" in page and "Region: Europe, &lt;script&gt;" in page
    assert page.count("<svg") >= 4  # trend, waterfall, breakdowns: static drawings, no plotly.js
    pdf_path = report_document.write(document, tmp_path / "overview.pdf")
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        assert 2 <= len(pdf) <= 6
        first = pdf[0].get_textpage().get_text_range()
        assert "Customer overview" in first and "03 Jul 2026 – 30 Sep 2026" in first
        assert "<script>alert(1)</script>" in first  # the filter as written, as text
        SHOTS.mkdir(exist_ok=True)
        for n in range(len(pdf)):
            pdf[n].render(scale=1.5).to_pil().save(SHOTS / f"digest-page-{n + 1}.png")
    finally:
        pdf.close()


def test_targets_and_alerts_are_on_the_unfiltered_document_only(sample_db):
    from ui import report_document

    con = db.connect(sample_db)
    try:
        targets.set_target(con, "revenue", PERIOD.start, PERIOD.end, 1e9, dt.datetime(2026, 12, 1))
        targets.add_alert(con, "revenue", "value", "below", 1e9, 90, dt.datetime(2026, 12, 1))
        cur = con.cursor()
        whole = report_document.overview_document(cur, PERIOD, Filters(), dt.datetime(2026, 12, 4))
        europe = report_document.overview_document(cur, PERIOD, Filters().with_values("region", ["Europe"]),
                                                   dt.datetime(2026, 12, 4))
        cur.close()
    finally:
        con.close()
    assert "Alert: Revenue below $1.0B" in whole.html and "· missed" in whole.html
    assert "Alert:" not in europe.html and "· missed" not in europe.html


def test_the_digest_command_for_cron(sample_db, tmp_path):
    def digest(*args):
        return subprocess.run([sys.executable, "-m", "crm_metrics", "--db", str(sample_db), "digest", *args],
                              capture_output=True, text=True, cwd=ROOT, timeout=300)

    out = digest("--period", "last-week", "--out", str(tmp_path / "digest.html"))
    assert out.returncode == 0, out.stderr
    # the sample's last order is on Wednesday 30 Sep 2026: last week is Monday 21 to Sunday 27 September
    assert "the overview of 21 Sep 2026 – 27 Sep 2026" in out.stdout
    assert (tmp_path / "digest.html").stat().st_size < 1_000_000
    pdf = digest("--period", "last-month", "--out", str(tmp_path / "digest.pdf"))
    assert pdf.returncode == 0, pdf.stderr
    assert (tmp_path / "digest.pdf").read_bytes().startswith(b"%PDF")
    assert digest("--out", str(tmp_path / "digest.txt")).returncode == 2
    early = digest("--as-of", "2020-01-01", "--out", str(tmp_path / "x.pdf"))
    assert early.returncode == 2 and "before the first day of data" in early.stderr


def test_the_digest_is_emailed_with_the_standard_library(sample_db, monkeypatch):
    """scripts/send_digest.py writes the PDF and sends it through SMTP with STARTTLS and a login from the
    environment (a stand-in for smtplib.SMTP records the conversation)."""
    import importlib.util
    import smtplib

    spec = importlib.util.spec_from_file_location("send_digest", ROOT / "scripts" / "send_digest.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    sent = []

    class Server:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self, context):
            sent.append(("starttls",))

        def login(self, user, password):
            sent.append(("login", user, password))

        def send_message(self, message):
            sent.append(("message", message))

    monkeypatch.setattr(smtplib, "SMTP", Server)
    env = {**__import__("os").environ, "CRM_DB": str(sample_db), "CRM_SMTP_HOST": "mail.example.com",
           "CRM_SMTP_USER": "reports@example.com", "CRM_SMTP_PASSWORD": "s3cret",
           "CRM_DIGEST_TO": "ceo@example.com, cfo@example.com"}
    assert script.main(["--period", "last-month"], env) == 0
    assert sent[:3] == [("connect", "mail.example.com", 587), ("starttls",),
                        ("login", "reports@example.com", "s3cret")]
    message = sent[3][1]
    assert message["To"] == "ceo@example.com, cfo@example.com" and message["Subject"] == "Customer overview: last month"
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == "customer-overview-last-month.pdf"
    assert attachment.get_content().startswith(b"%PDF")
    # the sample's last order is on 30 Sep 2026: last month is August
    assert message.get_body(("plain",)).get_content() == ("The overview of 01 Aug 2026 – 31 Aug 2026, attached as a "
                                                            "PDF.\n")
    assert script.main([], {"CRM_DIGEST_TO": "x@example.com"}) == 2  # no server set
