"""The robust band an anomaly monitor judges by: median ± k·MAD of a baseline of past values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import median
from typing import Literal

MAD_TO_SIGMA = 1.4826
"""Scales the median absolute deviation to a standard deviation for normal data."""

Status = Literal["learning", "normal", "anomaly"]


@dataclass(frozen=True)
class Point:
    at: datetime
    value: float


@dataclass(frozen=True)
class Rule:
    history: int = 14
    min_history: int = 5
    sensitivity: float = 3.0
    direction: str = "both"
    seasonality: str = "none"
    floor: float = 0.0
    """The band's least half-width, so a history without any spread does not flag noise."""


@dataclass(frozen=True)
class Judgement:
    status: Status
    observed: float
    baseline: tuple[Point, ...]
    needed: int
    median: float | None = None
    low: float | None = None
    high: float | None = None

    @property
    def side(self) -> str | None:
        """'drop' or 'spike' when the observed value is outside the band."""
        if self.low is not None and self.observed < self.low:
            return "drop"
        if self.high is not None and self.observed > self.high:
            return "spike"
        return None


def baseline(history: Sequence[Point], now: datetime, rule: Rule) -> tuple[Point, ...]:
    """The newest `rule.history` points before `now` (of `now`'s weekday with weekday
    seasonality), newest first."""
    earlier = sorted((p for p in history if p.at < now), key=lambda p: p.at, reverse=True)
    if rule.seasonality == "weekday":
        earlier = [p for p in earlier if p.at.weekday() == now.weekday()]
    return tuple(earlier[: rule.history])


def judge(observed: float, history: Sequence[Point], now: datetime, rule: Rule) -> Judgement:
    used = baseline(history, now, rule)
    if len(used) < rule.min_history:
        return Judgement("learning", observed, used, rule.min_history)
    values = [p.value for p in used]
    centre = median(values)
    spread = median(abs(v - centre) for v in values) * MAD_TO_SIGMA
    half = max(rule.sensitivity * spread, rule.floor)
    low, high = centre - half, centre + half
    flagged = (rule.direction in ("drop", "both") and observed < low) or (
        rule.direction in ("spike", "both") and observed > high
    )
    return Judgement(
        "anomaly" if flagged else "normal",
        observed,
        used,
        rule.min_history,
        median=centre,
        low=low,
        high=high,
    )
