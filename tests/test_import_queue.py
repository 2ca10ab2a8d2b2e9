"""The queue of imports for a running dashboard (crm_metrics/import_queue.py): jobs copied whole into place, run
oldest first with their files, their words and exit status kept, and a wait that ends on the result or the time."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

from crm_metrics import import_queue

NOW = dt.datetime(2026, 12, 4, 12, 0)


def test_jobs_run_oldest_first_with_their_own_copies_of_the_files(tmp_path, write):
    database = tmp_path / "crm.duckdb"
    first = write("a.csv", "customer_id\nA\n")
    second = write("b.csv", "customer_id\nB\n")
    one = import_queue.enqueue(database, ["import", "customers", str(first)], [first], NOW)
    two = import_queue.enqueue(database, ["import", "customers", str(second), "--delimiter", ";"], [second],
                               NOW + dt.timedelta(seconds=1))
    first.unlink()  # the job holds a copy: the user may move their file away
    assert [(j["id"], j["state"], j["position"]) for j in import_queue.jobs(database)] == \
        [(one, "queued", 1), (two, "queued", 2)]
    seen = []

    def runner(arguments):
        path = Path(arguments[2])
        seen.append((arguments[0], path.name, path.read_text(), arguments[3:]))
        return (0, f"{path.name} imported\n", "") if path.name == "a.csv" else (1, "", f"{path.name}:2: bad\n")

    assert import_queue.run_pending(database, runner) == 2
    assert seen == [("import", "a.csv", "customer_id\nA\n", []), ("import", "b.csv", "customer_id\nB\n",
                                                                   ["--delimiter", ";"])]
    done = {j["id"]: j for j in import_queue.jobs(database)}
    assert done[one]["state"] == "done" and done[one]["status"] == 0 and done[one]["output"] == "a.csv imported\n"
    assert done[two]["status"] == 1 and done[two]["errors"] == "b.csv:2: bad\n"
    assert not (import_queue.queue_dir(database) / one / "files").exists()  # the copies go once imported
    assert import_queue.run_pending(database, runner) == 0  # nothing runs twice
    assert import_queue.wait(database, one, timeout=0)["status"] == 0


def test_a_half_written_job_is_not_seen_and_a_failing_runner_still_ends_the_job(tmp_path, write):
    database = tmp_path / "crm.duckdb"
    (import_queue.queue_dir(database) / ".20261204T120000-abc").mkdir(parents=True)  # being written
    assert import_queue.jobs(database) == []
    job = import_queue.enqueue(database, ["import", "x.csv"], [write("x.csv", "a\n")], NOW)

    def broken(arguments):
        raise RuntimeError("disk gone")

    import_queue.run_pending(database, broken)
    entry = import_queue.wait(database, job, timeout=0)
    assert entry["status"] == 1 and "disk gone" in entry["errors"]
    assert import_queue.wait(database, "no-such-job", timeout=0.2, poll=0.05) is None


def test_finished_jobs_are_kept_a_week(tmp_path, write):
    database = tmp_path / "crm.duckdb"
    job = import_queue.enqueue(database, ["import", "x.csv"], [write("x.csv", "a\n")], NOW)
    import_queue.run_pending(database, lambda arguments: (0, "", ""))
    result = import_queue.queue_dir(database) / job / "result.json"
    old = time.time() - import_queue.KEEP_DONE_SECONDS - 60
    os.utime(result, (old, old))
    import_queue.run_pending(database, lambda arguments: (0, "", ""))
    assert import_queue.jobs(database) == []
