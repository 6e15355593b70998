"""Timing permutation test per vendor-recipient pair (logic: python_udfs/timing.py)."""

import json

from python_udfs.timing import TimingConfig, run_timing


def model(dbt, session):
    dbt.config(materialized="table")
    settings = dict(json.loads(dbt.config.get("timing_settings") or "{}"))
    settings.setdefault("run_seed", int(dbt.config.get("run_seed")))
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
