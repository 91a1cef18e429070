"""Reading typed values out of a JSON body while collecting every violation.

A :class:`Checker` never raises while reading: each problem is recorded as a ``(field,
description)`` violation, so one 400 answer names all bad fields, each description saying what
would be valid. :meth:`Checker.raise_if_failed` turns them into the error.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..catalog import GPUS_PER_NODE
from ..errors import ApiError, Violation

__all__ = ["Checker", "parse_timestamp", "require_number", "require_object"]


def parse_timestamp(value: str) -> datetime | None:
    """RFC 3339 → aware UTC datetime; ``None`` when unparsable or without a zone."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(UTC)


def require_object(body: Any) -> dict[str, Any]:
    """The body as a JSON object, or 400 naming ``body``."""
    if not isinstance(body, dict):
        raise ApiError.field("body", "the request body must be a JSON object")
    return body


def require_number(body: Any, key: str) -> float:
    """``body[key]`` as a number (not a boolean), or 400 naming ``key``."""
    value = body.get(key) if isinstance(body, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ApiError.field(key, f"{key} must be a number; got {value!r}")
    return float(value)


class Checker:
    """Reads typed values out of a JSON object, recording violations instead of raising."""

    def __init__(self, body: dict[str, Any], prefix: str = "", sink: list[Violation] | None = None):
        self.body = body
        self.prefix = prefix
        self.violations: list[Violation] = sink if sink is not None else []

    def name(self, key: str) -> str:
        """The full field path of ``key`` (``shared_volume.size_tib``)."""
        return f"{self.prefix}{key}"

    def fail(self, key: str, description: str) -> None:
        """Record a violation of ``key``."""
        self.violations.append((self.name(key), description))

    def child(self, key: str, value: dict[str, Any]) -> Checker:
        """A checker of a nested object that reports into the same list."""
        return Checker(value, f"{self.name(key)}.", self.violations)

    def has(self, key: str) -> bool:
        """Whether ``key`` is set. Explicit null means "not set": Terraform sends nulls for removed attributes."""
        return self.body.get(key) is not None

    def string(self, key: str, *, required: bool = False) -> str | None:
        """A string (``""`` counts as missing)."""
        value = self.body.get(key)
        if value is None or value == "":
            if required:
                self.fail(key, f"{self.name(key)} is required")
            return None
        if not isinstance(value, str):
            self.fail(key, f"{self.name(key)} must be a string; got {value!r}")
            return None
        return value

    def integer(self, key: str, *, required: bool = False) -> int | None:
        """An integer; proto3 JSON also accepts integers as strings ("16"), and so do we."""
        value = self.body.get(key)
        if value is None:
            if required:
                self.fail(key, f"{self.name(key)} is required")
            return None
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"{self.name(key)} must be an integer; got {value!r}")
            return None
        return value

    def boolean(self, key: str) -> bool | None:
        """``true`` or ``false``."""
        value = self.body.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.fail(key, f"{self.name(key)} must be true or false; got {value!r}")
            return None
        return value

    def enum(self, key: str, allowed: tuple[str, ...], *, required: bool = False) -> str | None:
        """One of ``allowed``."""
        value = self.string(key, required=required)
        if value is None:
            return None
        if value not in allowed:
            self.fail(key, f"{self.name(key)} must be one of {', '.join(allowed)}; got {value!r}")
            return None
        return value

    def obj(self, key: str) -> dict[str, Any] | None:
        """A nested JSON object."""
        value = self.body.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail(key, f"{self.name(key)} must be an object; got {value!r}")
            return None
        return value

    def array(self, key: str) -> list[Any] | None:
        """A JSON array."""
        value = self.body.get(key)
        if value is None:
            return None
        if not isinstance(value, list):
            self.fail(key, f"{self.name(key)} must be an array; got {value!r}")
            return None
        return value

    def timestamp(self, key: str) -> datetime | None:
        """An RFC 3339 timestamp with a zone."""
        value = self.string(key)
        if value is None:
            return None
        parsed = parse_timestamp(value)
        if parsed is None:
            self.fail(key, f"{self.name(key)} must be an RFC 3339 timestamp such as 2026-07-01T00:00:00Z")
        return parsed

    def multiple_of_8(self, key: str, value: int | None, *, positive: bool) -> None:
        """Check a GPU count: whole nodes of 8 GPUs, zero allowed unless ``positive``."""
        if value is None:
            return
        if value % GPUS_PER_NODE or value < 0 or (positive and value == 0):
            kind = "a positive" if positive else "a non-negative"
            self.fail(key, f"{self.name(key)} must be {kind} multiple of 8 (one node = 8 GPUs); got {value}")

    def raise_if_failed(self) -> None:
        """400 INVALID_ARGUMENT listing every violation, if there is any."""
        if self.violations:
            raise ApiError.invalid(self.violations)
