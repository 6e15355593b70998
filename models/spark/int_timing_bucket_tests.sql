-- Spark only, the first half of models/spark/int_timing_tests.sql (python_udfs/timing_parallel.py):
-- the vendors are tested per bucket, one Spark task per bucket (each vendor's null reads only
-- its own seeded stream). What the whole file shares is computed across the buckets: the
-- all_awards calendar from the buckets' per-day counts (integer sums per day) and the date
-- sources named in refusals. The q-values here are each bucket's own; int_timing_tests
-- replaces them with the whole file's. A table of its own so the tests run once.
{%- set settings = mt_literal(tojson(var('timing', {}))) %}
{%- set seed = mt_literal(var('run_seed') | string) %}
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
        )) as items
    from donations
    group by bucket
),

award_rows as (
    select
        bucket,
        collect_list(struct(vendor_key, award_date, row_ref, date_precision, date_source, date_column)) as items
    from awards
    group by bucket
),

day_counts as (
    select c.day, sum(c.awarded) as awarded, sum(c.change) as change
    from (select inline(mt_timing_days(items)) from award_rows) as c
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
    select /*+ repartition(32, bucket) */
        d.bucket,
        d.items as donation_rows,
        a.items as award_rows,
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
)

select * from results
