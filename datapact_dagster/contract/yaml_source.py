"""Reads a contract file into plain data plus the line/column of every value.

PyYAML's composer keeps source marks on each node; walking the node tree ourselves lets us
record them by document path and reject duplicate keys, which `yaml.safe_load` silently merges.
The limits on size, nesting, aliases and values (`yaml_limits`) are checked before and while the
tree is walked, so no file can exhaust memory, time or the stack.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from datapact_dagster.contract.findings import DocPath, FindingCollector
from datapact_dagster.contract.yaml_limits import (
    MAX_FILE_BYTES,
    MAX_VALUES,
    LimitExceeded,
    check_event_limits,
    file_too_large,
    too_many_values,
)

_HIDDEN_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Control characters (tab and line breaks are text) and the bidirectional overrides."""


_COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


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


class _Walk:
    """Turns a composed node tree into plain data, recording where each value is written.

    Aliased nodes are walked again at each place they are used, as the data repeats them; the
    walk counts every value it produces and stops at `MAX_VALUES`."""

    def __init__(self, out: FindingCollector) -> None:
        self.loader = yaml.SafeLoader("")
        self.out = out
        self.values = 0
        self.unreadable = False

    def scalar(self, node: yaml.ScalarNode, path: DocPath) -> Any:
        try:
            value = _scalar_value(self.loader, node)
        except (yaml.YAMLError, ValueError) as exc:
            self.unreadable = True
            problem = getattr(exc, "problem", None) or str(exc)
            self.out.add(
                path,
                f"this value cannot be read: {problem.splitlines()[0]}",
                "write a plain string, number, boolean or date (no YAML tags such as !!python)",
                line_col=_mark(node),
                code="yaml",
            )
            return None
        hidden = _HIDDEN_CHARACTER.search(value) if isinstance(value, str) else None
        if hidden:
            self.unreadable = True
            self.out.add(
                path,
                f"the text holds the control character U+{ord(hidden.group()):04X}, which can "
                "hide or rewrite what a terminal or a report shows",
                "remove it (escapes such as \\e, \\0 or \\u202e in a quoted string produce one)",
                line_col=_mark(node),
                code="control-character",
            )
        return value

    def walk(self, node: yaml.Node, path: DocPath) -> Any:
        self.values += 1
        if self.values > MAX_VALUES:
            raise too_many_values(_mark(node))
        positions = self.out.positions
        positions[path] = _mark(node)
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _COLLECTION_TAGS:
            self.unreadable = True
            self.out.add(
                path,
                f"this value has the YAML tag {node.tag!r}, which a contract cannot use",
                "remove the tag; write a plain mapping or list",
                line_col=_mark(node),
                code="yaml",
            )
            return None
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    self.out.add(
                        path,
                        "a mapping key must be a plain name",
                        "use a simple string key",
                        line_col=_mark(key_node),
                        code="yaml",
                    )
                    continue
                key = str(self.scalar(key_node, path))
                child = (*path, key)
                if key in result:
                    first = positions.get(child, (0, 0))[0]
                    self.out.add(
                        child,
                        f"duplicate key '{key}' (first defined on line {first}); YAML would keep "
                        "only the last value and silently lose the other",
                        f"remove one of the two '{key}' entries or merge them",
                        line_col=_mark(key_node),
                        code="duplicate-key",
                    )
                    continue
                positions[child] = _mark(key_node)
                result[key] = self.walk(value_node, child)
                positions[child] = _mark(key_node)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, (*path, index)) for index, item in enumerate(node.value)]
        return self.scalar(node, path)


def _add_limit(out: FindingCollector, limit: LimitExceeded) -> None:
    out.add((), limit.message, limit.fix, line_col=limit.line_col, code="limit")


def _add_yaml_error(out: FindingCollector, exc: yaml.YAMLError, text: str) -> None:
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        out.add(
            (),
            f"the file holds a character YAML does not allow (#x{exc.character:04x}), "
            "e.g. a NUL byte or another control character",
            "remove the character; a contract is plain UTF-8 text",
            line_col=(line, column),
            code="yaml",
        )
        return
    if not isinstance(exc, yaml.MarkedYAMLError):
        out.add((), f"YAML error: {exc}", "fix the YAML syntax", code="yaml")
        return
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
        return
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


def _compose(text: str, out: FindingCollector) -> yaml.Node | None:
    """The document's node tree, within the limits; None (with a finding) otherwise."""
    try:
        check_event_limits(yaml.CSafeLoader(text))
        loader = yaml.CSafeLoader(text)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()
    except LimitExceeded as limit:
        _add_limit(out, limit)
        return None
    except yaml.YAMLError:
        pass
    # libyaml's messages are terse; the Python reader finds the same error and explains it.
    try:
        check_event_limits(yaml.SafeLoader(text))
        loader = yaml.SafeLoader(text)
        try:
            loader.get_single_node()
        finally:
            loader.dispose()
    except LimitExceeded as limit:
        _add_limit(out, limit)
    except yaml.YAMLError as exc:
        _add_yaml_error(out, exc, text)
    else:
        out.add((), "YAML syntax error", "fix the YAML syntax", code="yaml")
    return None


def _empty(out: FindingCollector) -> None:
    out.add(
        (),
        "the file is empty",
        "write an ODCS v3 contract (see contracts/ for examples)",
        code="empty",
    )


def read_source(file: Path, out: FindingCollector) -> SourceDocument | None:
    """Parse `file`; on any unreadable input add a finding to `out` and return None."""
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            _add_limit(out, file_too_large(size))
            return None
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
        _empty(out)
        return None
    node = _compose(text, out)
    if node is None:
        if not out.has_errors:
            _empty(out)
        return None
    walker = _Walk(out)
    try:
        data = walker.walk(node, ())
    except LimitExceeded as limit:
        _add_limit(out, limit)
        return None
    if walker.unreadable:
        return None
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
    return SourceDocument(data=data, positions=out.positions, text=text)
