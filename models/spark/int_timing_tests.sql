-- Spark form of models/intermediate/int_timing_tests.py, distributed (python_udfs/timing_parallel.py):
-- the vendors are tested per bucket, one Spark task per bucket (each vendor's null reads only
-- its own seeded stream). What the whole file shares is computed across the buckets: the
-- all_awards calendar from the buckets' per-day counts (integer sums per day), the date
-- sources named in refusals, and the Benjamini-Hochberg q-values over every tested pair, from
-- the distinct p-values (at most n_permutations + 1 tie blocks: a block takes the least, over
-- it and the blocks above it, of p * m / the block's last rank, capped at 1, as
-- python_udfs/stats.bh_qvalues gives it). The table equals the single-process model's
-- (tests/python/test_timing_parallel.py; test_spark_equivalence on the demo).
{%- set settings = mt_literal(config.get('timing_settings')) %}
{%- set seed = mt_literal(config.get('run_seed')) %}
with

donations as (
    select d.*, {{ mt_timing_bucket_of('d.vendor_key') }} as bucket
    from {{ ref('int_timing_donations') }} as d
),

awards as (
    select a.*, {{ mt_timing_bucket_of('a.vendor_key') }} as bucket
    from {{ ref('int_timing_awards') }} as a
),

donation_rows as (
    select
        bucket,
        collect_list(struct(
            vendor_key, recipient_key, donation_date, row_ref, edge_id, date_precision, date_source, date_column
        )) as rows
    from donations
    group by bucket
),

award_rows as (
    select
        bucket,
        collect_list(struct(vendor_key, award_date, row_ref, date_precision, date_source, date_column)) as rows
    from awards
    group by bucket
),

day_counts as (
    select c.day, sum(c.awarded) as awarded, sum(c.change) as change
    from (select inline(mt_timing_days(rows)) from award_rows) as c
    group by c.day
),

shared as (
    select
        (select collect_list(struct(day, awarded, change)) from day_counts) as days,
        (select collect_set(date_column) from awards) as award_columns,
        (select collect_set(date_column) from donations) as donation_columns,
        (select count(*) from awards) as n_award_rows
),

bucket_inputs as (
    select /*+ REPARTITION(32, bucket) */
        d.bucket,
        d.rows as donation_rows,
        a.rows as award_rows,
        s.days,
        s.award_columns,
        s.donation_columns,
        s.n_award_rows
    from donation_rows as d
    left join award_rows as a on a.bucket = d.bucket
    cross join shared as s
),

results as (
    select r.*
    from (
        select inline(mt_timing_bucket(
            {{ settings }}, {{ seed }}, donation_rows, award_rows, days, award_columns, donation_columns,
            n_award_rows
        ))
        from bucket_inputs
    ) as r
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
