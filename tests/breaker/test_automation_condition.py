"""The declarative hold looks past direct parents: a breach two levels up still holds."""

from __future__ import annotations

import dagster as dg

from datapact_dagster.defs.automation import upstream_contract_breached


def _toy_defs(source_passes: dict[str, bool]) -> list[dg.AssetsDefinition]:
    held = upstream_contract_breached(depth=2)

    @dg.asset(check_specs=[dg.AssetCheckSpec("key_unique", asset="source", blocking=True)])
    def source() -> dg.MaterializeResult:
        return dg.MaterializeResult(
            check_results=[dg.AssetCheckResult(passed=source_passes["value"])]
        )

    @dg.asset(deps=[source], automation_condition=held)
    def middle() -> None: ...

    @dg.asset(deps=[middle], automation_condition=held)
    def top() -> None: ...

    return [source, middle, top]


def test_hold_reaches_two_levels_down_and_lifts_when_the_contract_passes() -> None:
    passes = {"value": True}
    assets = _toy_defs(passes)
    with dg.instance_for_test() as instance:
        assert dg.materialize(assets, instance=instance).success

        passes["value"] = False
        dg.materialize(assets, instance=instance, selection=["source"], raise_on_error=False)
        breached = dg.evaluate_automation_conditions(defs=assets, instance=instance)
        assert breached.get_num_requested(dg.AssetKey("middle")) == 1
        assert breached.get_num_requested(dg.AssetKey("top")) == 1, "two levels below the breach"

        passes["value"] = True
        assert dg.materialize(assets, instance=instance, selection=["source"]).success
        healthy = dg.evaluate_automation_conditions(defs=assets, instance=instance)
        assert healthy.total_requested == 0
