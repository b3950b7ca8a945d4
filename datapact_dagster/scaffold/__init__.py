"""The files `datapact init` writes: a small working project, kept as package data.

- `project/`: copied as it is; `{{project}}`, `{{location}}` and `{{warehouse_section}}` are
  filled in, and a file named `dot.<name>` is written as `.<name>`.
- `warehouses/<warehouse name>/`: the files for one warehouse; `README-section.md` becomes the
  README's warehouse section, every other file is copied like those of `project/`.
- `landing/`: the example landing data, written as Parquet where `datapact run` looks for it.
"""

from pathlib import Path

SCAFFOLD_DIR = Path(__file__).resolve().parent
PROJECT_DIR = SCAFFOLD_DIR / "project"
WAREHOUSES_DIR = SCAFFOLD_DIR / "warehouses"
LANDING_DIR = SCAFFOLD_DIR / "landing"
README_SECTION = "README-section.md"
DOT_PREFIX = "dot."
