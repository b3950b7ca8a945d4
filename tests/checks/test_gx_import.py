"""GX is imported without scipy.stats and altair, which DataPact's checks never use, yet both
still work for the code that does use them."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from datapact_dagster.checks.gx_context import ephemeral_context, gx
gx(); ephemeral_context()
print("loaded after gx:", "scipy.stats._stats_py" in sys.modules, "altair.vegalite" in sys.modules)
from scipy import stats
print("entropy:", round(float(stats.entropy([0.5, 0.5])), 3))
import scipy.stats
print("same module:", scipy.stats.entropy is stats.entropy)
from great_expectations.expectations.core import expect_column_kl_divergence_to_be_less_than as kl
print("chart:", kl.alt.Chart.__name__)
print("loaded after use:", "scipy.stats._stats_py" in sys.modules, "altair.vegalite" in sys.modules)
"""


def test_gx_loads_without_scipy_stats_and_altair_until_something_uses_them() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=300
    )
    assert done.stdout.splitlines() == [
        "loaded after gx: False False",
        "entropy: 0.693",
        "same module: True",
        "chart: Chart",
        "loaded after use: True True",
    ]
