"""The warehouse: SQL parsing, write-audit-publish, landing files, one module per dialect."""
