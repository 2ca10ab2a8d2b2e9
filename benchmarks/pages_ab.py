"""Every page before and after a change, side by side in one run: benchmarks/pages.py of two checkouts, taking
turns on copies of one database (so that the machine's drift, up to about 40% over an hour, falls on both).

    git worktree add /tmp/before <commit>
    python benchmarks/pages_ab.py /tmp/before --customers 1000000 --rounds 3 --out docs/benchmarks-app-layer.md

Each round runs the before checkout's pages.py, then this checkout's, each in a fresh process (nothing cached
between rounds); each process first renders one page untimed (its reporting layer built, its modules loaded)
and fits the prediction models, as the app does after an import. Reported: the median over the rounds of each
page's first render and filter change, and after / before (below 1: faster after the change).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import machine  # noqa: E402
from crm_metrics import db  # noqa: E402
from crm_metrics.sample import SampleParams, load_sample  # noqa: E402


def run_pages(checkout: Path, database: Path) -> dict:
    """One run of ``checkout``'s benchmarks/pages.py on ``database``: its JSON report."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = subprocess.run([sys.executable, str(checkout / "benchmarks" / "pages.py"), str(database), "--repeat", "1"],
                         capture_output=True, text=True, check=True, cwd=checkout, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def timings(report: dict) -> dict[str, float]:
    """benchmark name -> seconds, from one pages.py report."""
    found = {"prediction models fitted after an import": report["models"]}
    for page, times in report["pages"].items():
        name = Path(page).stem
        found[f"page first render: {name}"] = times["first"][0]
        if times["change"]:
            found[f"page filter change: {name}"] = times["change"][0]
        for tab, seconds in times.get("tabs", {}).items():
            found[f"page tab opened: {name}, {tab}"] = seconds[0]
    return found


def table(before: list[dict[str, float]], after: list[dict[str, float]], tolerance: float) -> tuple[list[str], list]:
    lines = ["| benchmark | before (median s) | after (median s) | after / before |", "|---|---:|---:|---:|"]
    slower = []
    for name in after[0]:
        was = statistics.median(r[name] for r in before)
        now = statistics.median(r[name] for r in after)
        lines.append(f"| {name} | {was:.2f} | {now:.2f} | {now / was:.2f} |")
        if name.startswith("page ") and now > was * (1 + tolerance):
            slower.append(name)
    return lines, slower


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path, help="a checkout of the code before the change")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tolerance", type=float, default=0.10)
    parser.add_argument("--title", default="Pages before and after a change")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    before_commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                   cwd=args.before).stdout.strip()
    after_commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                  cwd=ROOT).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="crm-ab-") as tmp:
        source = Path(tmp) / "source.duckdb"
        con = db.connect(source)
        load_sample(con, SampleParams(customers=args.customers, campaigns=42))
        con.close()
        copies = {side: Path(tmp) / f"{side}.duckdb" for side in ("before", "after")}
        for copy in copies.values():
            shutil.copyfile(source, copy)
        runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        for round_number in range(args.rounds):
            for side, checkout in (("before", args.before), ("after", ROOT)):
                runs[side].append(timings(run_pages(checkout.resolve(), copies[side])))
                print(f"round {round_number + 1} {side} done", file=sys.stderr, flush=True)
    lines, slower = table(runs["before"], runs["after"], args.tolerance)
    report = [f"## {args.title}", "",
              f"`python benchmarks/pages_ab.py <checkout of {before_commit}> --customers {args.customers} --rounds "
              f"{args.rounds}` on {dt.date.today().isoformat()} ({machine()}): before = {before_commit}, after = "
              f"{after_commit}, {args.customers:,} customers, the two taking turns, median of {args.rounds} rounds.",
              "", *lines, "",
              f"Pages slower by more than {args.tolerance:.0%} after the change: "
              + (", ".join(slower) if slower else "none") + ".", ""]
    text = "\n".join(report)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
