"""Unit tests of the team commands' parts that need no engine: durations, selection, state, lock retries."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from pulumi import automation as auto
from pulumi.automation._cmd import CommandResult

from together_pulumi.review.cli import main
from together_pulumi.teams.backend import StackRef, redact
from together_pulumi.teams.rules import Rules
from together_pulumi.teams.state import StackState, read_state
from together_pulumi.teams.teardown import LOCK_ATTEMPTS, destroy_all, plan
from together_pulumi.teams.times import format_age, parse_duration, parse_timestamp

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
CLUSTER = "pulumi-python:dynamic/together:Cluster"


def ref(name: str, hours_ago: float = 1, project: str = "team") -> StackRef:
    return StackRef(project, name, NOW - dt.timedelta(hours=hours_ago), 3)


def test_durations_and_timestamps() -> None:
    assert parse_duration("24h") == dt.timedelta(hours=24)
    assert parse_duration("1d12h") == dt.timedelta(hours=36)
    assert parse_duration("90m") == dt.timedelta(minutes=90)
    for bad in ("", "24", "h", "3x", "1h 2m"):
        with pytest.raises(ValueError, match="not a duration; use a number with a unit"):
            parse_duration(bad)
    assert parse_timestamp("2026-06-01") == dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    assert parse_timestamp("2026-06-01T14:00:00+02:00") == NOW
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_timestamp("tomorrow")
    assert format_age(dt.timedelta(days=3, hours=4)) == "3d4h"
    assert format_age(dt.timedelta(minutes=-90)) == "in 1h30m"


def test_a_declared_expiry_wins_over_the_age_rule() -> None:
    rules = Rules(now=NOW, older_than=dt.timedelta(hours=24))
    empty = StackState()
    assert rules.verdict(ref("old", 48), {}, empty).due
    assert not rules.verdict(ref("young", 2), {}, empty).due
    expired = rules.verdict(ref("young", 2), {"together:expiresAt": "2026-06-01T11:00:00Z"}, empty)
    assert expired.due and "tag together:expiresAt" in expired.reason
    later = rules.verdict(ref("old", 48), {}, StackState(config={"together:expiresAt": "2026-06-02"}))
    assert not later.due and "config together:expiresAt" in later.reason
    bad = rules.verdict(ref("old", 48), {"together:expiresAt": "soon"}, empty)
    assert not bad.due and "not a timestamp" in bad.reason


def test_without_a_rule_only_expired_stacks_are_due_and_filters_select() -> None:
    assert not Rules(now=NOW).verdict(ref("a"), {}, StackState()).due
    by_name = Rules(now=NOW, stacks_glob="pr-*")
    assert by_name.matches_name(ref("pr-1")) and by_name.matches_name(ref("pr-1", project="x"))
    assert not by_name.matches_name(ref("main"))
    assert Rules(now=NOW, stacks_glob="team/pr-*").matches_name(ref("pr-2"))
    assert by_name.verdict(ref("pr-1"), {}, StackState()).due
    tagged = Rules(now=NOW, tags=(("env", "pr"),))
    assert tagged.matches_tags({"env": "pr", "x": "y"}) and not tagged.matches_tags({"env": "prod"})


def test_state_facts() -> None:
    state = read_state(
        {
            "resources": [
                {
                    "urn": "urn:pulumi:s::p::pulumi:providers:pulumi-python::default",
                    "type": "pulumi:providers:pulumi-python",
                    "inputs": {"together:expiresAt": "2026-01-01", "together:apiKey": {"ciphertext": "x"}},
                },
                {
                    "urn": "urn:pulumi:s::p::together:index:GpuCluster$" + CLUSTER + "::gpu",
                    "type": CLUSTER,
                    "id": "t-1",
                    "protect": True,
                    "inputs": {"volume_id": "vol-9"},
                    "outputs": {"num_gpus": 16.0, "region": "us-central-8", "volumes": [{"volume_id": "vol-8"}]},
                },
            ],
            "pending_operations": [{"type": "creating", "resource": {"urn": "urn:pulumi:s::p::t::gpu-ready"}}],
        }
    )
    assert [(o.id, o.num_gpus, o.region) for o in state.clusters] == [("t-1", 16, "us-central-8")]
    assert state.held_ids() == {"t-1", "vol-8", "vol-9"}
    assert state.config == {"together:expiresAt": "2026-01-01"}, "secret config is never read"
    assert state.protected == ("gpu",) and state.pending == ("creating gpu-ready",)


class LockedBackend:
    """A backend whose one stack stays locked: every destroy is refused by the lock."""

    url = "postgres://u:longsecretword@h/db"

    def __init__(self) -> None:
        self.destroys = 0

    def stacks(self, project: str | None = None) -> list[StackRef]:
        return [ref("pr-1", 48)]

    def tags(self, _: StackRef) -> dict[str, str]:
        return {}

    def export(self, _: StackRef) -> dict[str, Any]:
        return {"resources": [{"urn": "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", "type": "pulumi:pulumi:Stack"}]}

    def destroy(self, _: StackRef, __: Any) -> Any:
        self.destroys += 1
        raise auto.errors.ConcurrentUpdateError(CommandResult("", "the stack is currently locked by", 255))


def test_a_locked_stack_is_retried_then_reported_failed_never_forced() -> None:
    backend = LockedBackend()
    entries = plan(backend, Rules(now=NOW, older_than=dt.timedelta(hours=24)), None, 2)  # type: ignore[arg-type]
    lines: list[str] = []
    waits: list[float] = []
    done = destroy_all(backend, entries, 2, lines.append, sleep=waits.append)  # type: ignore[arg-type]
    assert backend.destroys == LOCK_ATTEMPTS and len(waits) == LOCK_ATTEMPTS - 1
    assert done[0].outcome == "failed" and "pulumi cancel" in done[0].detail
    assert any("locked by another update; trying again" in line for line in lines)


def test_bad_flags_name_the_flag_and_what_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    for argv, expected in (
        (["teardown", "--older-than", "soon"], "argument --older-than: 'soon' is not a duration"),
        (["teardown", "--tag", "env"], "argument --tag: 'env' is not KEY=VALUE"),
        (["orphans", "--parallel", "0"], "argument --parallel: '0' is not a number of stacks from 1 to 32"),
        (["teardown", "--now", "later"], "argument --now: 'later' is not a timestamp"),
    ):
        with pytest.raises(SystemExit) as exit_:
            main(argv, stdout=io.StringIO())
        assert exit_.value.code == 2
        assert expected in capsys.readouterr().err


def test_the_backend_password_is_redacted_whole() -> None:
    url = "postgres://pulumi:s3cr3t-pw@127.0.0.1:5432/pulumi"
    assert redact(f"cannot reach {url}", url) == "cannot reach postgres://pulumi:***@127.0.0.1:5432/pulumi"
    assert redact("nothing here", None) == "nothing here"
