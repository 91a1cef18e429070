"""The chaos suite. ``make test`` runs the short form (one seeded run, every step disturbed:
the create killed once the cluster was sent, the emulator restarted during a scale, connections cut
during the destroy);
``make chaos`` the long one (``CHAOS_RUNS`` seeded runs, default 12; ``CHAOS_SEED`` the first seed).

The figures to reach: 0 duplicates, 0 orphans, 0 leftovers, no object held twice, every step
eventually done. ``CHAOS_REPORT=path`` writes the totals as JSON, with every failed attempt: its exit
code, the tail of its output, the stack's pending operations and the emulator's objects after it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .chaos import Report, as_dict, run

pytestmark = pytest.mark.e2e


def _assert_clean(report: Report) -> None:
    print(report.summary())
    print(report.failures_text())
    if os.environ.get("CHAOS_REPORT"):
        Path(os.environ["CHAOS_REPORT"]).write_text(json.dumps(as_dict(report), indent=1))
    # (The failed attempts go with the assertion: why each one failed, whatever the test's output capture.)
    why = f"failed attempts:\n{report.failures_text()}"
    assert report.violations == [], why
    assert (report.duplicates, report.orphans, report.leftovers, report.shared_objects) == (0, 0, 0, 0), why


def test_chaos_short(engine_bin: Path, tmp_path: Path) -> None:
    report = run(int(os.environ.get("CHAOS_SEED", "7")), tmp_path, engine_bin, short=True)
    _assert_clean(report)
    # The disturbances really happened: the create was killed once the cluster was sent, the
    # emulator restarted during the scale, connections were cut during the destroy.
    assert {"kill", "restart", "outage"} <= set(report.disturbances), report.disturbances


RUNS = int(os.environ.get("CHAOS_RUNS", "12"))


@pytest.mark.chaos
@pytest.mark.timeout(RUNS * 300)  # (a run takes 1 to 2 minutes; the suite-wide limit is 10)
def test_chaos_long(engine_bin: Path, tmp_path: Path) -> None:
    first = int(os.environ.get("CHAOS_SEED", "100"))
    total = Report()
    for seed in range(first, first + RUNS):
        report = run(seed, tmp_path / f"seed-{seed}", engine_bin)
        print(f"seed {seed}: {report.summary()}")
        total.add(report)
    _assert_clean(total)
