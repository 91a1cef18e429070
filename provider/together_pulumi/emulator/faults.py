"""Fault injection: throttling, server errors, dropped connections and latency on ``/v1`` requests.

Decisions come from one seeded ``random.Random`` consumed in request order, so the same seed and
the same sequence of requests give the same sequence of faults. Each eligible request draws
exactly two numbers (which fault, and before/after commit) whatever the outcome, so changing one
rate does not shift the stream for the other decisions.

For mutating methods a fraction ``after_commit_ratio`` of the 500/503/drop faults happen *after*
the request was processed: the object was created or changed but the client sees a failure. That
is the ambiguous failure a client must survive without creating duplicates.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

__all__ = ["MUTATING_METHODS", "FaultConfig", "FaultDecision", "FaultInjector", "FaultKind"]

FaultKind = Literal["none", "429", "500", "503", "drop"]

MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_RATE_FIELDS = ("rate_429", "rate_500", "rate_503", "drop_rate", "after_commit_ratio")


@dataclass(frozen=True)
class FaultConfig:
    """What to inject. Rates are probabilities per eligible request; they must sum to at most 1."""

    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_503: float = 0.0
    drop_rate: float = 0.0
    latency_ms: float = 0.0
    #: Upper-case HTTP methods that may be faulted; ``None`` means all.
    methods: frozenset[str] | None = None
    #: Only paths starting with this prefix may be faulted.
    path_prefix: str = "/v1"
    #: Sent as ``Retry-After`` (seconds) and ``Retry-After-Ms`` with 429 and 503.
    retry_after_seconds: float = 1.0
    after_commit_ratio: float = 0.5
    seed: int | None = None
    #: Ignore the ``?remediation_id=`` idempotency key of remediation creates, as a service might:
    #: the together 3.1.1 SDK no longer sends it, so nothing says the service honours it.
    ignore_remediation_key: bool = False

    def validate(self) -> None:
        for name in _RATE_FIELDS:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1; got {value}")
        total = self.rate_429 + self.rate_500 + self.rate_503 + self.drop_rate
        if total > 1.0 + 1e-9:
            raise ValueError(f"rate_429 + rate_500 + rate_503 + drop_rate must be at most 1; got {total}")
        if self.latency_ms < 0:
            raise ValueError(f"latency_ms must be >= 0; got {self.latency_ms}")
        if self.retry_after_seconds < 0:
            raise ValueError(f"retry_after_seconds must be >= 0; got {self.retry_after_seconds}")
        if not self.path_prefix.startswith("/"):
            raise ValueError(f"path_prefix must start with '/'; got {self.path_prefix!r}")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["methods"] = sorted(self.methods) if self.methods is not None else None
        return out

    @property
    def active(self) -> bool:
        return self.rate_429 + self.rate_500 + self.rate_503 + self.drop_rate > 0 or self.latency_ms > 0


def parse_methods(value: Any) -> frozenset[str] | None:
    """Accept ``["GET", "post"]``, ``"GET,POST"`` or ``None`` (all methods)."""
    if value is None:
        return None
    if isinstance(value, str):
        items = [m for m in value.split(",") if m.strip()]
    elif isinstance(value, list) and all(isinstance(m, str) for m in value):
        items = value
    else:
        raise ValueError(f"methods must be a list of HTTP methods or null; got {value!r}")
    return frozenset(m.strip().upper() for m in items) or None


@dataclass(frozen=True)
class FaultDecision:
    kind: FaultKind = "none"
    after_commit: bool = False
    latency_seconds: float = 0.0
    retry_after_seconds: float = 1.0

    @property
    def before_commit(self) -> bool:
        return self.kind != "none" and not self.after_commit


@dataclass
class FaultInjector:
    """Holds the current :class:`FaultConfig` and the random stream; safe to call from any thread."""

    config: FaultConfig = field(default_factory=FaultConfig)
    _rng: random.Random = field(default_factory=random.Random)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.config.validate()
        self._rng = random.Random(self.config.seed)

    def configure(self, config: FaultConfig, *, reseed: bool) -> None:
        config.validate()
        with self._lock:
            self.config = config
            if reseed:
                self._rng = random.Random(config.seed)

    def update(self, patch: dict[str, Any]) -> FaultConfig:
        """Apply a partial update (the admin API body); omitted keys keep their value.

        ``seed`` (even the same value) restarts the random stream. Raises ``ValueError``.
        """
        known = {f.name for f in fields(FaultConfig)}
        unknown = sorted(set(patch) - known)
        if unknown:
            raise ValueError(f"unknown fault settings {unknown}; valid: {sorted(known)}")
        changes: dict[str, Any] = {}
        for key, value in patch.items():
            if key == "methods":
                changes[key] = parse_methods(value)
            elif key == "path_prefix":
                if not isinstance(value, str):
                    raise ValueError(f"path_prefix must be a string; got {value!r}")
                changes[key] = value
            elif key == "ignore_remediation_key":
                if not isinstance(value, bool):
                    raise ValueError(f"ignore_remediation_key must be true or false; got {value!r}")
                changes[key] = value
            elif key == "seed":
                if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                    raise ValueError(f"seed must be an integer or null; got {value!r}")
                changes[key] = value
            else:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ValueError(f"{key} must be a number; got {value!r}")
                changes[key] = float(value)
        new = replace(self.config, **changes)
        self.configure(new, reseed="seed" in patch)
        return new

    def decide(self, method: str, path: str) -> FaultDecision:
        """Draw the fault (if any) for one request, in arrival order."""
        with self._lock:
            cfg = self.config
            if not cfg.active or not path.startswith(cfg.path_prefix):
                return FaultDecision()
            if cfg.methods is not None and method.upper() not in cfg.methods:
                return FaultDecision()
            which = self._rng.random()
            when = self._rng.random()
        kind: FaultKind = "none"
        edge = 0.0
        for candidate, rate in (
            ("429", cfg.rate_429),
            ("500", cfg.rate_500),
            ("503", cfg.rate_503),
            ("drop", cfg.drop_rate),
        ):
            edge += rate
            if which < edge:
                kind = candidate  # type: ignore[assignment]
                break
        # Throttling is decided at the front door, never after the work was done.
        after = kind in ("500", "503", "drop") and method.upper() in MUTATING_METHODS
        after = after and when < cfg.after_commit_ratio
        return FaultDecision(kind, after, cfg.latency_ms / 1000.0, cfg.retry_after_seconds)
