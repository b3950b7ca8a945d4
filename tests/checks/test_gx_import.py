"""GX is imported without scipy.stats, which DataPact's checks never use, yet it still works."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from datapact_dagster.checks.gx_context import ephemeral_context, gx
gx(); ephemeral_context()
print("loaded after gx:", "scipy.stats._stats_py" in sys.modules)
from scipy import stats
print("entropy:", round(float(stats.entropy([0.5, 0.5])), 3))
print("loaded after use:", "scipy.stats._stats_py" in sys.modules)
"""


def test_gx_loads_without_scipy_stats_until_something_uses_it() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=300
    )
    assert done.stdout.splitlines() == [
        "loaded after gx: False",
        "entropy: 0.693",
        "loaded after use: True",
    ]
