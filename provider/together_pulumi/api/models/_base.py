"""Bases of every wire model: strict for what we send, lenient for what we receive."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["Request", "Response"]


class Request(BaseModel):
    """Strict base of what we send: unknown fields and enum values are errors."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    def to_wire(self) -> dict[str, Any]:
        """The JSON body: only fields that were set, without nulls."""
        return self.model_dump(mode="json", exclude_none=True)


class Response(BaseModel):
    """Lenient base of what we receive: unknown fields are kept."""

    model_config = ConfigDict(extra="allow")
