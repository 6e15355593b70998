"""moneytrail ingest: safe loaders for CSV/TSV files and SQL dumps into the DuckDB warehouse,
plus the command-line entry point."""
