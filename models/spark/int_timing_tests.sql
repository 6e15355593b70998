-- Spark form of models/intermediate/int_timing_tests.py, distributed (python_udfs/timing_parallel.py):
-- int_timing_bucket_tests tests the vendors per bucket, one Spark task per bucket, with the
-- calendar and date sources of the whole file; here the Benjamini-Hochberg q-values are computed
-- again over every tested pair, from the distinct p-values (at most n_permutations + 1 tie
-- blocks: a block takes the least, over it and the blocks above it, of p * m / the block's last
-- rank, capped at 1, as python_udfs/stats.bh_qvalues gives it). The table equals the
-- single-process model's (tests/python/test_timing_parallel.py; test_spark_equivalence).
with

results as (
    select * from {{ ref('int_timing_bucket_tests') }}
),

-- q-values (from here to the final select; tests/python/test_timing_parallel.py runs this text on DuckDB)
p_blocks as (
    select p_value, count(*) as n from results where p_value is not null group by p_value
),

ranked_blocks as (
    select
        p_value,
        sum(n) over (order by p_value rows between unbounded preceding and current row) as last_rank,
        sum(n) over () as m
    from p_blocks
),

q_blocks as (
    select
        p_value,
        least(
            cast(1 as double),
            min(p_value * m / last_rank) over (order by p_value desc rows between unbounded preceding and current row)
        ) as q_value
    from ranked_blocks
)

select
    r.vendor_key,
    r.recipient_key,
    r.status,
    r.status_reason,
    r.n_donations,
    r.n_awards,
    r.n_award_rows,
    r.observed_mean_days,
    r.null_mean_days,
    r.null_sd_days,
    r.effect_size,
    r.k_as_extreme,
    r.n_tied,
    r.n_permutations,
    r.p_value,
    q.q_value,
    r.seed,
    r.calendar,
    r.first_award_date,
    r.last_award_date,
    r.null_model,
    r.timing_settings,
    r.finding_id
from results as r
left join q_blocks as q on q.p_value = r.p_value
