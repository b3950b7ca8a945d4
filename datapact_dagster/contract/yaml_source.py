"""Reads a contract file into plain data plus the line/column of every value.

PyYAML's composer keeps source marks on each node; walking the node tree ourselves lets us
record them by document path and reject duplicate keys, which `yaml.safe_load` silently merges.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from datapact_dagster.contract.findings import DocPath, FindingCollector


@dataclass
class SourceDocument:
    data: Any
    positions: dict[DocPath, tuple[int, int]]
    text: str


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _scalar_value(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    value = loader.construct_object(node, deep=True)
    # Dates stay strings: ODCS declares them as strings, and the schema validator expects that.
    if isinstance(value, dt.date | dt.datetime):
        return node.value
    return value


def _walk(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: DocPath,
    positions: dict[DocPath, tuple[int, int]],
    out: FindingCollector,
) -> Any:
    positions[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                out.add(
                    path,
                    "a mapping key must be a plain name",
                    "use a simple string key",
                    line_col=_mark(key_node),
                    code="yaml",
                )
                continue
            key = str(_scalar_value(loader, key_node))
            child = (*path, key)
            if key in result:
                first = positions.get(child, (0, 0))[0]
                out.add(
                    child,
                    f"duplicate key '{key}' (first defined on line {first}); YAML would keep only "
                    "the last value and silently lose the other",
                    f"remove one of the two '{key}' entries or merge them",
                    line_col=_mark(key_node),
                    code="duplicate-key",
                )
                continue
            positions[child] = _mark(key_node)
            result[key] = _walk(loader, value_node, child, positions, out)
            positions[child] = _mark(key_node)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _walk(loader, item, (*path, index), positions, out)
            for index, item in enumerate(node.value)
        ]
    return _scalar_value(loader, node)


def read_source(file: Path, out: FindingCollector) -> SourceDocument | None:
    """Parse `file`; on any unreadable input add a finding to `out` and return None."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        out.add(
            (),
            f"cannot read the file: {exc.strerror or exc}",
            "check the path and permissions",
            code="unreadable",
        )
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        out.add(
            (),
            f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} cannot be decoded)",
            "save the file as UTF-8",
            line_col=(line, column),
            code="encoding",
        )
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        out.add(
            (),
            "the file is empty",
            "write an ODCS v3 contract (see contracts/ for examples)",
            code="empty",
        )
        return None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line_col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        if "\t" in problem or "'\\t'" in problem:
            out.add(
                (),
                "a tab character is used for indentation; YAML allows only spaces",
                "replace the tab with spaces",
                line_col=line_col,
                code="yaml-tab",
            )
        else:
            context = f" ({exc.context})" if exc.context else ""
            if exc.context and exc.context_mark and exc.context_mark is not mark:
                context = f" ({exc.context} that starts on line {exc.context_mark.line + 1})"
            out.add(
                (),
                f"YAML syntax error: {problem}{context}",
                "fix the YAML syntax at this position",
                line_col=line_col,
                code="yaml",
            )
        return None
    except yaml.YAMLError as exc:
        out.add((), f"YAML error: {exc}", "fix the YAML syntax", code="yaml")
        return None
    finally:
        loader.dispose()
    if node is None:
        out.add(
            (),
            "the file is empty",
            "write an ODCS v3 contract (see contracts/ for examples)",
            code="empty",
        )
        return None
    positions = out.positions
    data = _walk(yaml.SafeLoader(""), node, (), positions, out)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({type(data).__name__})"
        out.add(
            (),
            f"the document is {kind}, not a mapping",
            "a contract is a YAML mapping starting with 'apiVersion: v3.1.0'",
            line_col=_mark(node),
            code="not-a-mapping",
        )
        return None
    return SourceDocument(data=data, positions=positions, text=text)
