"""Two runs of benchmarks/run.py side by side: the medians of each benchmark before and after a change.

    python benchmarks/compare.py before.md after.md --title "..." --before-label 2029635 --after-label HEAD

Prints a markdown table (benchmark, customers, before median, after median, after / before) and flags every
page render or filter change that got slower by more than ``--tolerance`` (default 10%). Both files are the
reports run.py writes (``--out``); rows are matched on (benchmark, customers).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

ROW = re.compile(r"^\| (?P<name>[^|]+?) \| (?P<customers>[\d,]+) \| [\d,]+ \| [\d.]+ / (?P<median>[\d.]+) \|")
BASELINE = re.compile(r"\| (?P<base>[^|]+?) \| [\d.]+ / (?P<median>[\d.]+) \| (?P<ratio>[\d.]+)x \|")


def medians(path: Path) -> dict[tuple[str, str], tuple[float, float | None]]:
    """(benchmark, customers) -> (our median, the ratio against the baseline or None), from a run's report."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = ROW.match(line)
        if row:
            baseline = BASELINE.search(line[row.end() - 1:])
            key = (row["name"], row["customers"])
            if key not in found:  # a benchmark with two baselines is listed twice: same ours
                found[key] = (float(row["median"]), float(baseline["ratio"]) if baseline else None)
    return found


def compare(before: Path, after: Path, tolerance: float) -> tuple[list[str], list[str]]:
    """The table's lines and the page benchmarks slower than ``tolerance`` allows."""
    old, new = medians(before), medians(after)
    lines = ["| benchmark | customers | before (median s) | after (median s) | after / before | ratio to baseline, "
             "before → after |", "|---|---:|---:|---:|---:|---|"]
    slower = []
    for key in [k for k in new if k in old]:
        (was, was_ratio), (now, now_ratio) = old[key], new[key]
        change = now / was if was else float("nan")
        ratios = f"{was_ratio:.2f}x → {now_ratio:.2f}x" if was_ratio and now_ratio else "–"
        lines.append(f"| {key[0]} | {key[1]} | {was:.2f} | {now:.2f} | {change:.2f} | {ratios} |")
        if key[0].startswith("page ") and change > 1 + tolerance:
            slower.append(f"{key[0]} ({key[1]}): {was:.2f} s → {now:.2f} s")
    return lines, slower


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--tolerance", type=float, default=0.10)
    args = parser.parse_args()
    lines, slower = compare(args.before, args.after, args.tolerance)
    print("\n".join(lines))
    print()
    print("Pages slower by more than {:.0%}: {}".format(args.tolerance, "; ".join(slower) if slower else "none"))


if __name__ == "__main__":
    main()
