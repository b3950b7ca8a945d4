"""The bench's side-by-side view: DataPact's check step against the single-pass floor on each
warehouse, with client and server memory, the ratios and the targets met or missed."""

from __future__ import annotations

from typing import Any

TARGET_MAX_RATIO_TO_FLOOR = 1.1
TARGET_MAX_SERVER_MEMORY_TO_FLOOR = 1.5
TARGET_MAX_RSS_BYTES = 1 << 30
_MIB = 1 << 20
_VERDICT = {True: "met", False: "MISSED"}


def postgres_ratios(reports: dict[str, dict[str, Any]]) -> dict[str, float]:
    """DataPact's time and server work memory on PostgreSQL as multiples of the floor's."""
    if "datapact_pg" not in reports:
        return {}
    ours, floor = reports["datapact_pg"], reports["floor_pg"]
    return {
        "pg_ratio_to_floor": ours["seconds"] / floor["seconds"],
        # a floor using almost no private memory would make any ratio meaningless: 1 MiB floor
        "pg_server_memory_to_floor": ours["server_bytes"] / max(floor["server_bytes"], _MIB),
    }


def _row(rows: int, warehouse: str, ours: dict[str, Any], floor: dict[str, Any]) -> str:
    ratio = ours["seconds"] / floor["seconds"]
    server = (
        f"{ours['server_bytes'] / _MIB:6.0f} / {floor['server_bytes'] / _MIB:4.0f} MiB"
        if "server_bytes" in ours
        else f"{'-':>17}"
    )
    return (
        f"| {rows:>10,} | {warehouse:<10} | {ours['seconds']:7.2f} s | {floor['seconds']:7.2f} s "
        f"| {ratio:4.2f}x | {ours['rss_bytes'] / (1 << 30):5.2f} GiB | {server} |"
    )


def print_side_by_side(results: list[dict[str, Any]]) -> None:
    print("\nCheck step against the single-pass floor (median call):")
    print(
        "|       rows | warehouse  |  DataPact |     floor | ratio | client RSS "
        "| server work memory (DataPact / floor) |"
    )
    rule = "|-----------:|------------|----------:|----------:|------:|-----------:|"
    print(rule + "-" * 39 + "|")
    for r in results:
        reports = r["reports"]
        print(_row(r["rows"], "DuckDB", reports["datapact"], reports["floor"]))
        if "datapact_pg" in reports:
            print(_row(r["rows"], "PostgreSQL", reports["datapact_pg"], reports["floor_pg"]))
    largest = max(results, key=lambda r: r["rows"])
    reports = largest["reports"]
    print(f"\nCheck-step targets at {largest['rows']:,} rows:")
    duck = largest["ratio_to_floor"]
    print(
        f"  {_VERDICT[duck <= TARGET_MAX_RATIO_TO_FLOOR]:>6}  DuckDB <= "
        f"{TARGET_MAX_RATIO_TO_FLOOR:g}x its floor: {duck:.2f}x"
    )
    if "pg_ratio_to_floor" in largest:
        pg, memory = largest["pg_ratio_to_floor"], largest["pg_server_memory_to_floor"]
        print(
            f"  {_VERDICT[pg <= TARGET_MAX_RATIO_TO_FLOOR]:>6}  PostgreSQL <= "
            f"{TARGET_MAX_RATIO_TO_FLOOR:g}x its floor: {pg:.2f}x"
        )
        print(
            f"  {_VERDICT[memory <= TARGET_MAX_SERVER_MEMORY_TO_FLOOR]:>6}  PostgreSQL server work"
            f" memory <= {TARGET_MAX_SERVER_MEMORY_TO_FLOOR:g}x the floor's: {memory:.2f}x"
        )
    else:
        print("  skipped PostgreSQL (no server binaries)")
    rss = max(reports[name]["rss_bytes"] for name in reports if name.startswith("datapact"))
    print(
        f"  {_VERDICT[rss <= TARGET_MAX_RSS_BYTES]:>6}  DataPact peak RSS <= 1 GiB:"
        f" {rss / (1 << 30):.2f} GiB"
    )
    agree = all(not r["count_problems"] for r in results)
    print(f"  {_VERDICT[agree]:>6}  every contender found the same violation counts", flush=True)
