"""Every kind of contract change and its class: the table in docs/change-control.md, as code."""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType


class ChangeClass(StrEnum):
    """How a change looks to a consumer; ordered from harmless to harmful."""

    cosmetic = "cosmetic"
    additive = "additive"
    breaking = "breaking"

    @property
    def rank(self) -> int:
        return _CLASS_ORDER.index(self)


_CLASS_ORDER = (ChangeClass.cosmetic, ChangeClass.additive, ChangeClass.breaking)

B, A, C = ChangeClass.breaking, ChangeClass.additive, ChangeClass.cosmetic

KIND_CLASS = MappingProxyType(
    {
        # contract
        "contract_added": A,
        "contract_removed": B,
        "contract_moved": C,
        "status_forward": A,
        "status_backward": B,
        "status_retired_unannounced": B,
        "name_changed": C,
        "domain_changed": C,
        "api_version_changed": C,
        "description_changed": C,
        "owners_changed": C,
        "support_changed": C,
        "consumers_changed": C,
        "schedule_changed": C,
        "other_content_changed": C,
        "sla_target_added": A,
        "sla_target_removed": B,
        "sla_target_loosened": B,
        "sla_target_tightened": A,
        # table
        "table_added": A,
        "table_removed": B,
        "table_renamed": B,
        "physical_name_changed": B,
        "tags_changed": C,
        "primary_key_added": A,
        "primary_key_tightened": A,
        "primary_key_loosened": B,
        "primary_key_reordered": C,
        "relationship_added": A,
        "relationship_removed": B,
        "freshness_added": A,
        "freshness_removed": B,
        "freshness_loosened": B,
        "freshness_tightened": A,
        "freshness_column_changed": B,
        "partitioning_changed": C,
        # column
        "column_added": A,
        "column_removed": B,
        "column_renamed": B,
        "column_moved": C,
        "type_widened": A,
        "type_changed": B,
        "physical_type_widened": A,
        "physical_type_declared": A,
        "physical_type_changed": B,
        "column_nullable": B,
        "column_required": A,
        "unique_dropped": B,
        "unique_added": A,
        "enum_widened": B,
        "enum_narrowed": A,
        "value_option_loosened": B,
        "value_option_tightened": A,
        "pii_dropped": B,
        "pii_added": A,
        "classification_changed": C,
        # quality rules
        "rule_added": A,
        "rule_removed": B,
        "rule_tightened": A,
        "rule_loosened": B,
        "rule_changed": B,
    }
)
"""kind -> class. docs/change-control.md lists the same rows (a test compares the two)."""

KINDS: tuple[str, ...] = tuple(KIND_CLASS)
