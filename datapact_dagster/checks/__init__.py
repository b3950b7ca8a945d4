"""Checks: contract rules as engine-neutral specs, GX suites, and their evaluation."""
