"""Timing permutation test per vendor-recipient pair (logic: python_udfs/timing.py)."""

from python_udfs.timing import run_timing
from python_udfs.timing_config import NO_AWARD_DATES, config_from_model


def model(dbt, session):
    dbt.config(materialized="table")
    # each dbt.config.get call stands alone (see timing_config.config_from_model)
    raw_settings = dbt.config.get("timing_settings")
    raw_seed = dbt.config.get("run_seed")
    config = config_from_model(raw_settings, raw_seed)
    donations = dbt.ref("int_timing_donations").fetch_arrow_table()
    awards = dbt.ref("int_timing_awards").fetch_arrow_table()
    if donations.num_rows and not awards.num_rows:
        # Linked donations but not one award date: the award_date column is empty or wrong.
        raise ValueError(NO_AWARD_DATES)
    return run_timing(donations, awards, config)
