"""Every page through Streamlit's AppTest on one database: first render and a filter change, and the
process's memory (this process plays the server: it holds the app's caches).

    python benchmarks/pages.py DATABASE [--repeat N]

Prints one JSON object: {"pages": {page: {"first": [...], "change": [...], "tabs": {name: [...]}}},
"memory": {...}}.
First render: a new session with Streamlit's data cache cleared (nothing computed before). Filter
change: the same session after choosing a region in the sidebar (another in each repeat). benchmarks/run.py calls
this once per size and writes the figures to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/overview.py", "pages/customer.py", "pages/segments.py", "pages/campaigns.py", "pages/retention.py",
         "pages/satisfaction.py", "pages/value.py", "pages/data.py", "pages/learn.py"]


def rss_mb() -> float:
    """This process's resident memory now (Linux)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# pages whose sections are lazy tabs (only the open one runs): each other tab is opened after the filter change
TABS = {"pages/learn.py": ("learn_phase", ["2. Analysis", "3. Campaigns", "4. Prediction"])}


def render(page: str, choice: int = 0):
    """A fresh session on ``page``: seconds for its first run, for a region filter change (to region number
    ``choice``: each repeat picks another, so that no filter change finds the process-wide results of an
    earlier one), and for opening each of its other tabs (under that filter) by name."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=3600)
    at.switch_page(page)
    start = time.perf_counter()
    at.run()
    first = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception}")
    region = next((m for m in at.multiselect if m.key == "region"), None)
    change = None
    if region is not None and region.options:
        region.select(region.options[choice % len(region.options)])
        start = time.perf_counter()
        at.run()
        change = time.perf_counter() - start
        if at.exception:
            raise RuntimeError(f"{page} after a filter change: {at.exception}")
    tabs = {}
    key, names = TABS.get(page, (None, []))
    for name in names:
        at.session_state[key] = name
        start = time.perf_counter()
        at.run()
        tabs[name] = time.perf_counter() - start
        if at.exception:
            raise RuntimeError(f"{page}, tab {name}: {at.exception}")
    return first, change, tabs


def warm_models() -> float:
    """Seconds to fit the whole-base prediction models, as the app does once after every import (they are
    process-wide resources: clearing the data cache before each first render keeps them)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string("from ui import data\ndata.workbench().fit_defaults()\n", default_timeout=3600)
    start = time.perf_counter()
    at.run()
    if at.exception:
        raise RuntimeError(f"fitting the models: {at.exception}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--pages", nargs="*", default=PAGES, help="only these pages (default: all)")
    args = parser.parse_args()
    os.environ["CRM_DB"] = str(Path(args.database).resolve())
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    import streamlit as st

    start_mb = rss_mb()
    render("pages/overview.py")  # untimed: the app's modules imported, the reporting layer current
    models = warm_models()
    results = {page: {"first": [], "change": [], "tabs": {}} for page in args.pages}
    for repeat in range(args.repeat):
        for page in args.pages:
            first, change, tabs = render(page, repeat)
            results[page]["first"].append(first)
            if change is not None:
                results[page]["change"].append(change)
            for name, seconds in tabs.items():
                results[page]["tabs"].setdefault(name, []).append(seconds)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    loaded_mb = rss_mb()
    st.cache_data.clear()
    gc.collect()
    memory = {"start": start_mb, "peak": peak_mb, "with_caches": loaded_mb, "caches_cleared": rss_mb()}
    print(json.dumps({"pages": results, "models": models, "memory": memory}))


if __name__ == "__main__":
    main()
