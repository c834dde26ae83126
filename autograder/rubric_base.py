"""The shape every check's parameters share: a kind (which check function judges it) and points."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Check(_Strict):
    kind: str  # the check function that judges it: its table's name in grader.toml unless `kind` says otherwise
    points: float = Field(ge=0)
