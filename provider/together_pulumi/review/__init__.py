"""Code review of GPU infrastructure: what a ``pulumi preview`` does to GpuClusters and SharedVolumes.

- :func:`summarize` turns ``pulumi preview --json`` into a :class:`Summary` (one :class:`Row` per
  GpuCluster and SharedVolume, with :class:`Finding` s where a reviewer must stop);
  :func:`render_markdown` / :func:`render_text` print it; the console script is
  ``together-pulumi review`` (:mod:`.cli`).
- :class:`RateCard` (:func:`load_rate_card`) holds a team's own prices; :func:`cluster_hourly_cost`
  and :func:`volume_hourly_cost` price a :class:`ClusterFacts` / :class:`VolumeFacts`.

The policy pack's rules (:mod:`together_pulumi.policy`) use the same facts and prices. Importing
this package has no side effects and does not import the provider (``program``, ``host``).
"""

from .facts import ClusterFacts, InlineVolumeFacts, VolumeFacts
from .gate import CostCap, GateResult, evaluate, parse_cost_cap, parse_fail_on
from .ratecard import (
    Cost,
    RateCard,
    RateCardError,
    cluster_hourly_cost,
    load_rate_card,
    parse_rate_card,
    volume_hourly_cost,
)
from .render import render_markdown, render_text
from .summary import Change, Finding, PreviewError, Row, Summary, summarize

__all__ = [
    "Change",
    "ClusterFacts",
    "Cost",
    "CostCap",
    "Finding",
    "GateResult",
    "InlineVolumeFacts",
    "PreviewError",
    "RateCard",
    "RateCardError",
    "Row",
    "Summary",
    "VolumeFacts",
    "cluster_hourly_cost",
    "evaluate",
    "load_rate_card",
    "parse_cost_cap",
    "parse_fail_on",
    "parse_rate_card",
    "render_markdown",
    "render_text",
    "summarize",
    "volume_hourly_cost",
]
