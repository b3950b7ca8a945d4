"""Which contract tables feed which: the asset dependency graph, walked transitively."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from datapact_dagster.breaker.state import AssetPath
from datapact_dagster.contract.model import LAYER_ORDER, Layer


@dataclass(frozen=True)
class TableGraph:
    upstream: Mapping[AssetPath, frozenset[AssetPath]]
    """Each table's direct upstream tables (the same deps its Dagster asset declares)."""

    def ancestors(self, key: AssetPath) -> frozenset[AssetPath]:
        return _closure([key], self.upstream)

    def descendants(self, keys: Iterable[AssetPath]) -> frozenset[AssetPath]:
        downstream: dict[AssetPath, set[AssetPath]] = {}
        for child, parents in self.upstream.items():
            for parent in parents:
                downstream.setdefault(parent, set()).add(child)
        return _closure(keys, downstream)


def _closure(
    start: Iterable[AssetPath], edges: Mapping[AssetPath, Iterable[AssetPath]]
) -> frozenset[AssetPath]:
    seen: set[AssetPath] = set()
    todo = [n for key in start for n in edges.get(key, ())]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(edges.get(node, ()))
    return frozenset(seen)


def layer_order(key: AssetPath) -> tuple[int, str]:
    """bronze, silver, gold, then by name: the order people read a pipeline in."""
    layer = key[0] if key else ""
    rank = LAYER_ORDER[Layer(layer)] if layer in Layer.__members__ else len(LAYER_ORDER)
    return rank, "/".join(key)


def format_keys(keys: Iterable[AssetPath]) -> str:
    return ", ".join("/".join(k) for k in sorted(keys, key=layer_order))
