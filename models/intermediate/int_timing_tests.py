"""Timing permutation test per vendor-recipient pair (logic: python_udfs/timing.py)."""

import json

from python_udfs.timing import TimingConfig, run_timing


def model(dbt, session):
    dbt.config(materialized="table")
    # Each dbt.config.get call stands alone: dbt finds the config keys a Python model reads by
    # scanning its calls, and a call nested in an expression such as `a or b` is not seen
    # (its value then silently arrives as None).
    raw_settings = dbt.config.get("timing_settings")
    raw_seed = dbt.config.get("run_seed")
    if raw_settings is None or raw_seed is None:
        raise ValueError(
            "timing: the model config timing_settings/run_seed did not reach int_timing_tests "
            "(models/intermediate/_intermediate.yml sets them from vars.timing and vars.run_seed)"
        )
    settings = json.loads(raw_settings) if isinstance(raw_settings, str) else raw_settings
    if settings is None:
        settings = {}
    if not isinstance(settings, dict):
        raise ValueError(f"timing config: vars.timing must be a mapping; got {settings!r}")
    settings = dict(settings)
    if "run_seed" in settings:
        raise ValueError("timing config: set run_seed as the top-level var run_seed, not inside vars.timing")
    settings["run_seed"] = int(raw_seed)
    config = TimingConfig.from_mapping(settings)
    donations = dbt.ref("int_timing_donations").fetch_arrow_table()
    awards = dbt.ref("int_timing_awards").fetch_arrow_table()
    if donations.num_rows and not awards.num_rows:
        # Linked donations but not one award date: the award_date column is empty or wrong.
        raise ValueError(
            "timing: no contract row has a parseable award_date (role_map.contracts.columns."
            "award_date); fix the mapping or set role_map.contracts.timing: {enabled: false}"
        )
    return run_timing(donations, awards, config)
