"""What a policy rule looks at and what it says back.

A :class:`ClusterSubject` / :class:`VolumeSubject` is one GpuCluster or SharedVolume as the engine
hands it over (its settings, whether it is ``protect``-ed, its URN); an :class:`Outcome` is what a
check found. Kept apart from the rules so each concern's module needs only these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..review.facts import ClusterFacts, VolumeFacts
from ..review.tokens import Unknown

__all__ = ["ClusterSubject", "Outcome", "Subject", "VolumeSubject", "listing", "unknown_settings"]


@dataclass(frozen=True)
class ClusterSubject:
    """One GpuCluster as a policy sees it: its settings, whether it is protected, and its engine URN."""

    facts: ClusterFacts
    protect: bool = False
    urn: str = ""

    @property
    def title(self) -> str:
        return f'GpuCluster "{self.facts.name}"'


@dataclass(frozen=True)
class VolumeSubject:
    """One SharedVolume as a policy sees it."""

    facts: VolumeFacts
    protect: bool = False
    urn: str = ""

    @property
    def title(self) -> str:
        return f'SharedVolume "{self.facts.name}"'


Subject = ClusterSubject | VolumeSubject


@dataclass
class Outcome:
    """What a check found: violation messages, and the settings it could not judge yet."""

    violations: list[str] = field(default_factory=list)
    #: ``region of GpuCluster "train"``: settings not known until ``pulumi up``.
    unknown: list[str] = field(default_factory=list)
    #: Set when the rule does not apply at all (e.g. no allowed list configured), with the reason.
    not_applicable: str | None = None


def unknown_settings(subject: Subject, *props: str) -> list[str]:
    """``region of GpuCluster "train"`` for each of ``props`` not known until ``pulumi up``."""
    facts = subject.facts
    return [f"{p} of {subject.title}" for p in props if isinstance(getattr(facts, p), Unknown)]


def listing(values: Sequence[str]) -> str:
    return ", ".join(values)
