"""The dynamic-provider host serves more calls at once than its own four threads (see host_threads).

A stack of twelve of this package's providers whose creates each wait until all twelve have started:
with the host's stock pool of four threads the first four would wait for the rest forever (here, until
their deadline) and `up` would fail. Nothing depends on how fast the machine is: the creates meet or
time out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator_process import start_emulator

from . import harness as h

pytestmark = pytest.mark.e2e

CONCURRENT = 12

PROGRAM = '''\
"""CONCURRENT creates that only return once every one of them has started."""

import os
import time
from pathlib import Path

import pulumi
from pulumi.dynamic import CreateResult, Resource

from together_pulumi.host.provider_base import ConfiguredProvider

MEET = Path(pulumi.Config().require("meet"))
COUNT = pulumi.Config().require_int("count")


class Meeting(ConfiguredProvider):
    def create(self, props):
        (MEET / props["me"]).touch()
        deadline = time.monotonic() + 120
        while len(os.listdir(MEET)) < COUNT:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {len(os.listdir(MEET))} of {COUNT} creates ran at once")
            time.sleep(0.05)
        return CreateResult(props["me"], {})


class Meet(Resource):
    def __init__(self, name):
        super().__init__(Meeting(), name, {"me": name})


for i in range(COUNT):
    Meet(f"meet{i}")
'''


def test_the_host_serves_more_calls_at_once_than_its_stock_four_threads(engine_bin: Path, tmp_path: Path) -> None:
    meet = tmp_path / "meet"
    meet.mkdir()
    with start_emulator() as emulator:
        stack = h.program_stack(
            tmp_path, emulator, engine_bin, source=PROGRAM, config={"meet": str(meet), "count": str(CONCURRENT)}
        )
        result = stack.pulumi("up", "--yes", "--skip-preview", "--parallel", str(2 * CONCURRENT), check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        assert len(list(meet.iterdir())) == CONCURRENT
