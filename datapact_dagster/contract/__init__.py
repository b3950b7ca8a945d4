"""Data contracts: ODCS v3 files read, validated and built into one typed model."""
