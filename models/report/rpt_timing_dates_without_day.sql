-- Dates declared without a day (a year- or month-only format), which never enter the timing
-- test: one row per kind of date (award, donation), precision and input column with its format.
with dates as (
    select 'award' as date_kind, date_precision, date_source from {{ ref('int_timing_awards') }}
    union all
    select 'donation' as date_kind, date_precision, date_source from {{ ref('int_timing_donations') }}
)

select
    date_kind,
    date_precision,
    date_source,
    count(*) as n_dates
from dates
where date_precision <> 'day'
group by date_kind, date_precision, date_source
