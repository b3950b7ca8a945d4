"""Imported by the step processes' fork server (`defs/executors.py`): loads GX the way
`checks.gx_context.gx` does, without the modules DataPact's checks never use."""

from datapact_dagster.checks.gx_import import import_gx

import_gx()
