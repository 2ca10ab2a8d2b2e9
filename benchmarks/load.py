"""Several browser sessions at once against one running dashboard: executives opening pages, marketers
uploading and importing CSVs. Records each page's latency in the browser, checks that no page shows an
error and that every import lands whole, and follows the server's resident memory round by round.

    python benchmarks/load.py [--executives 4] [--marketers 2] [--rounds 3] [--out docs/load.md]

starts the app on a fresh copy of the sample data (5,000 customers) in headless Chromium (Debian's), and
writes the report. tests/browser/test_load_in_browser.py runs a smaller load through the same code.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXECUTIVE_PAGES = ["/", "/segments", "/retention", "/value", "/campaigns"]
SETTLED = '[data-testid="stApp"][data-test-script-state="notRunning"]'

try:
    from playwright.async_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the report can be rendered without Playwright
    PlaywrightTimeout = TimeoutError


@dataclass
class LoadReport:
    """What one load run saw. Latencies in seconds per page path; memory in MB per round."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    imported_rows: int = 0  # rows the marketers' files held
    landed_rows: int | None = None  # rows found in the tables afterwards
    memory_mb: list[float] = field(default_factory=list)  # the server after each round, sessions closed
    baseline_mb: float = 0.0
    peak_mb: float = 0.0

    def markdown(self, sessions: str) -> str:
        rows = [f"| `{page}` | {len(times)} | {min(times):.2f} | {statistics.median(times):.2f} | {max(times):.2f} |"
                for page, times in sorted(self.latencies.items())]
        rounds = ", ".join(f"{m:.0f}" for m in self.memory_mb)
        return "\n".join([
            "# Load: several sessions at once",
            "",
            f"Produced by `python benchmarks/load.py` on {dt.date.today().isoformat()}: {sessions}, against one",
            "server on the 5,000-customer sample (headless Chromium; latency = from navigation until the",
            "script has finished and the page is drawn).",
            "",
            "| page | loads | min s | median s | max s |",
            "|---|---:|---:|---:|---:|",
            *rows,
            "",
            f"- Pages showing an error: {len(self.errors)}" + ("" if not self.errors else f" ({self.errors[:3]})"),
            f"- Rows in the marketers' uploads: {self.imported_rows:,}; found in the tables afterwards: "
            + ("not counted" if self.landed_rows is None else f"{self.landed_rows:,}"),
            f"- Server memory (resident MB): {self.baseline_mb:.0f} before any session, peak {self.peak_mb:.0f};",
            f"  after each round with its sessions closed: {rounds}. Each import changes the data version,",
            "  so every round recomputes and caches afresh; Streamlit's data cache is bounded (max_entries on",
            "  every cached function), and memory rises less each round as the cache approaches that bound.",
            "",
        ])


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def _settle(page) -> None:
    await page.wait_for_selector(SETTLED, timeout=180_000)
    await page.wait_for_timeout(300)
    await page.wait_for_selector(SETTLED, timeout=180_000)


async def _check(page, report: LoadReport, where: str) -> None:
    if await page.locator('[data-testid="stException"]').count():
        report.errors.append(where)


async def executive(browser, url: str, report: LoadReport, pages: list[str]) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    for path in pages:
        start = time.perf_counter()
        await page.goto(url + path)
        await _settle(page)
        report.latencies.setdefault(path, []).append(time.perf_counter() - start)
        await _check(page, report, path)
    await context.close()


async def marketer(browser, url: str, report: LoadReport, csv_path: Path, rows: int) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1400})
    page = await context.new_page()
    start = time.perf_counter()
    await page.goto(url + "/data")
    await _settle(page)
    # the single-file uploader, by its label (the batch uploader below it has a drop zone too)
    single = page.get_by_test_id("stFileUploader").filter(has_text="CSV file (also .csv.gz)")
    await single.wait_for(state="visible")
    await single.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(csv_path))
    await _settle(page)
    await page.get_by_role("button", name="Import", exact=True).click()
    await _settle(page)
    report.latencies.setdefault("/data (upload and import)", []).append(time.perf_counter() - start)
    await _check(page, report, f"/data {csv_path.name}")
    try:  # the page reruns once the import has landed; under load that rerun can still be on its way
        await page.get_by_text(f"{rows:,} inserted").first.wait_for(timeout=60_000)
    except PlaywrightTimeout:
        report.errors.append(f"{csv_path.name}: no '{rows:,} inserted' after the import")
        await page.screenshot(path=str(csv_path.with_suffix(".png")), full_page=True)
    await context.close()


def customers_csv(folder: Path, prefix: str, rows: int) -> Path:
    path = folder / f"{prefix}.csv"
    path.write_text("customer_id,name,email,region\n" + "".join(
        f"{prefix}{i:05d},Load {prefix} {i},{prefix.lower()}{i}@example.com,Europe\n" for i in range(rows)),
        encoding="utf-8")
    return path


async def _round(url: str, pid: int, report: LoadReport, executives: int, uploads: list[tuple[Path, int]]) -> None:
    from playwright.async_api import async_playwright

    chromium = "/usr/bin/chromium"
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        sessions = [executive(browser, url, report, EXECUTIVE_PAGES[i % 2:] + EXECUTIVE_PAGES[:i % 2])
                    for i in range(executives)]
        sessions += [marketer(browser, url, report, path, rows) for path, rows in uploads]

        async def watch() -> None:
            while True:
                report.peak_mb = max(report.peak_mb, rss_mb(pid))
                await asyncio.sleep(0.5)

        watcher = asyncio.create_task(watch())
        try:
            await asyncio.gather(*sessions)
        finally:
            watcher.cancel()
            await browser.close()


def run_load(url: str, pid: int, folder: Path, executives: int, marketers: int, rounds: int,
             upload_rows: int = 200) -> LoadReport:
    """``rounds`` times: ``executives`` sessions opening the executive pages and ``marketers`` sessions
    uploading a new customers file each, all at once. Memory is read after each round."""
    report = LoadReport(baseline_mb=rss_mb(pid))
    for r in range(rounds):
        uploads = [(customers_csv(folder, f"L{r}M{m}", upload_rows), upload_rows) for m in range(marketers)]
        # a thread of its own: the caller may be inside Playwright's sync API, which keeps a loop running
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, _round(url, pid, report, executives, uploads)).result()
        report.imported_rows += upload_rows * marketers
        time.sleep(2)
        report.memory_mb.append(rss_mb(pid))
    return report


def landed_rows(database: Path) -> int:
    """Customers the uploads created, counted in the database once the server has stopped."""
    sys.path.insert(0, str(ROOT))
    from crm_metrics import db

    con = db.connect(database)
    try:
        return con.execute("SELECT count(*) FROM customers WHERE starts_with(customer_id, 'L')").fetchone()[0]
    finally:
        con.close()


def main() -> None:
    import tempfile

    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    from conftest import start_app, stop_app

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--executives", type=int, default=4)
    parser.add_argument("--marketers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "docs" / "load.md"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crm-load-") as tmp:
        folder = Path(tmp)
        proc, url = start_app(folder / "load.duckdb")
        try:
            report = run_load(url, proc.pid, folder, args.executives, args.marketers, args.rounds)
        finally:
            stop_app(proc)
        report.landed_rows = landed_rows(folder / "load.duckdb")
    sessions = f"{args.executives} executives and {args.marketers} marketers at once, {args.rounds} rounds"
    Path(args.out).write_text(report.markdown(sessions), encoding="utf-8")
    print(report.markdown(sessions))


if __name__ == "__main__":
    main()
