"""Size caps on what a check result carries out of the warehouse.

A check result is copied into the evidence store, Dagster's event log and every report; a
value read from the data (a sample, an observed value, a message quoting it) is capped here,
once, when the result is made (`CheckResult.__post_init__`), so every copy is small:

- at most MAX_SAMPLES samples, each string in them at most MAX_VALUE_CHARS characters;
- a summary or error message at most MAX_SUMMARY_CHARS characters;
- an observed value with each string at most MAX_VALUE_CHARS characters; if its JSON is still
  over MAX_OBSERVED_CHARS characters, the value is replaced by that JSON cut to
  MAX_OBSERVED_CHARS characters.

A cut string ends with TRUNCATION_MARK ("… (N more characters)"). Capping is idempotent: a
value capped once is left as it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

MAX_SAMPLES = 20
MAX_VALUE_CHARS = 200
MAX_SUMMARY_CHARS = 500
MAX_OBSERVED_CHARS = 8192
TRUNCATION_MARK = "… ({count:,} more characters)"
_MARKED = re.compile(r"… \([0-9,]+ more characters\)\Z")
_MARK_ROOM = 40  # the longest mark: "… (" + a count of up to 30 digits and commas + ")"


def cap_text(text: str, limit: int) -> str:
    """`text` cut to `limit` characters plus a mark saying how many were cut."""
    if len(text) <= limit or (len(text) <= limit + _MARK_ROOM and _MARKED.search(text)):
        return text
    return text[:limit] + TRUNCATION_MARK.format(count=len(text) - limit)


def cap_value(value: Any) -> Any:
    """Every string in `value` capped at MAX_VALUE_CHARS characters."""
    if isinstance(value, str):
        return cap_text(value, MAX_VALUE_CHARS)
    if isinstance(value, bytes):
        return cap_text(value.hex(), MAX_VALUE_CHARS)
    if isinstance(value, Mapping):
        return {str(k)[:MAX_VALUE_CHARS]: cap_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        capped = [cap_value(v) for v in value]
        return capped if isinstance(value, list) else tuple(capped)
    return value


def cap_samples(samples: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(cap_value(sample) for sample in samples[:MAX_SAMPLES])


def cap_observed(value: Any) -> Any:
    """An observed value capped by `cap_value`, then by the size of its JSON."""
    already_cut = isinstance(value, str) and len(value) <= MAX_OBSERVED_CHARS + _MARK_ROOM
    if already_cut and _MARKED.search(value):
        return value  # cut to the size of its JSON before
    capped = cap_value(value)
    text = json.dumps(capped, default=str, ensure_ascii=False)
    if len(text) <= MAX_OBSERVED_CHARS:
        return capped
    return cap_text(text, MAX_OBSERVED_CHARS)
