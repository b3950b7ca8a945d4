"""`datapact run` on DuckDB leaves GX to its worker process (checks/gx_worker.py): the run's own
process never loads GX (not for a partitioned table's step either: its cross-partition key
lookup would otherwise hold the warehouse file), and the worker's verdicts are the run's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.commands.test_exit_codes import cli_env, datapact

# `datapact ARGS`, then whether the run's process loaded GX, on stderr
REPORTING_GX = (
    "import sys\n"
    "from datapact_dagster.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print('GX loaded here:', 'great_expectations' in sys.modules, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _completed(
    command: list[str], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_the_run_process_leaves_gx_to_the_worker(project_root: Path, tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    generate = datapact("generate", "--rows", "2000", "--breach", "duplicate_key")
    generated = _completed(generate, project_root, env)
    assert generated.returncode == 0, generated.stderr
    selection = (
        "key:bronze/raw_orders or key:bronze/raw_customers"
        " or key:silver/customers or key:bronze/raw_customer_events"
        " or key:silver/customer_events"  # partitioned
    )
    run = [sys.executable, "-c", REPORTING_GX, "run", "--select", selection, "--format", "json"]
    result = _completed(run, project_root, env)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "GX loaded here: False" in result.stderr
    assert "Traceback" not in result.stderr
    tables = {t["table"]: t for t in json.loads(result.stdout)["tables"]}
    orders, customers = tables["bronze/raw_orders"], tables["bronze/raw_customers"]
    assert orders["failing_checks"] == ["raw_orders__order_id__unique"]
    assert orders["checks_passed"] > 5
    assert (customers["outcome"], customers["checks_failed"]) == ("published", 0)
    assert customers["checks_passed"] > 5
    events = tables["silver/customer_events"]  # its key rules look across partitions too
    assert (events["outcome"], events["checks_failed"]) == ("published", 0)
