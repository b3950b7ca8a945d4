"""Comparing two thresholds by the values they accept: tighter, looser, the same, or neither."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from datapact_dagster.contract.model import Operator

INF = math.inf


class Strictness(StrEnum):
    same = "same"
    tighter = "tighter"
    looser = "looser"
    incomparable = "incomparable"


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    low_closed: bool
    high_closed: bool

    def within(self, other: Interval) -> bool:
        low_ok = other.low < self.low or (
            other.low == self.low and (other.low_closed or not self.low_closed)
        )
        high_ok = other.high > self.high or (
            other.high == self.high and (other.high_closed or not self.high_closed)
        )
        return low_ok and high_ok


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def accepted(operator: Operator) -> list[Interval] | None:
    """The observed values `operator` accepts, as disjoint intervals (None: not numeric)."""
    value = operator.value
    if operator.name in ("mustBeBetween", "mustNotBeBetween"):
        if not isinstance(value, list | tuple) or len(value) != 2:
            return None
        low, high = _number(value[0]), _number(value[1])
        if low is None or high is None:
            return None
        if operator.name == "mustBeBetween":
            return [Interval(low, high, True, True)]
        return [Interval(-INF, low, False, False), Interval(high, INF, False, False)]
    number = _number(value)
    if number is None:
        return None
    return {
        "mustBe": [Interval(number, number, True, True)],
        "mustNotBe": [Interval(-INF, number, False, False), Interval(number, INF, False, False)],
        "mustBeGreaterThan": [Interval(number, INF, False, False)],
        "mustBeGreaterOrEqualTo": [Interval(number, INF, True, False)],
        "mustBeLessThan": [Interval(-INF, number, False, False)],
        "mustBeLessOrEqualTo": [Interval(-INF, number, False, True)],
    }[operator.name]


def _subset(inner: list[Interval], outer: list[Interval]) -> bool:
    # Each accepted set is a union of separated intervals, so a connected piece of `inner`
    # lies within the union exactly when it lies within one of its intervals.
    return all(any(piece.within(whole) for whole in outer) for piece in inner)


def compare_sets(old: list[Interval], new: list[Interval]) -> Strictness:
    narrower, wider = _subset(new, old), _subset(old, new)
    if narrower and wider:
        return Strictness.same
    if narrower:
        return Strictness.tighter
    return Strictness.looser


def compare_operators(old: Operator | None, new: Operator | None) -> Strictness:
    if old == new:
        return Strictness.same
    if old is None or new is None:
        return Strictness.incomparable
    before, after = accepted(old), accepted(new)
    if before is None or after is None:
        return Strictness.incomparable
    return compare_sets(before, after)


def combine(*parts: Strictness) -> Strictness:
    """One verdict from several aspects of a rule: any looser part loosens the whole."""
    found = set(parts) - {Strictness.same}
    if not found:
        return Strictness.same
    if Strictness.incomparable in found:
        return Strictness.incomparable
    if Strictness.looser in found:
        return Strictness.looser
    return Strictness.tighter


def compare_bound(old: Any, new: Any, *, upper: bool) -> Strictness:
    """A `minimum` (upper=False) or `maximum` (upper=True) bound; None is no bound."""
    if old == new:
        return Strictness.same
    if new is None:
        return Strictness.looser
    if old is None:
        return Strictness.tighter
    try:
        raised = new > old
    except TypeError:
        return Strictness.incomparable
    return Strictness.looser if raised == upper else Strictness.tighter


def compare_value_sets(old: set[Any], new: set[Any]) -> Strictness:
    """Allowed-value sets (enum, validValues): an empty set allows anything."""
    if old == new:
        return Strictness.same
    if not new:
        return Strictness.looser
    if not old or new < old:
        return Strictness.tighter
    return Strictness.looser
