"""Logic of the dbt Python models, kept importable so pytest can test it directly."""
