-- The awards of every vendor the timing test judged, once per vendor: the evidence on the
-- award side of each of its timing_signals findings (joined on vendor_entity_id). Kept out of
-- timing_signals itself, where every pair of a vendor would repeat the same lists: at the size
-- of a real two-year cycle that was most of the export's 15.6 GB.
with tested_vendors as (
    select distinct vendor_key
    from {{ ref('int_timing_tests') }}
)
select
    a.vendor_key as vendor_entity_id,
    count(*) as n_award_rows,
    count(distinct a.award_date) as n_award_dates,
    {{ mt_list_agg('a.award_date', distinct=true) }} as award_dates,
    {{ mt_list_agg('a.row_ref', ['a.award_date', 'a.row_ref']) }} as award_row_refs,
    'measured' as evidence_kind
from {{ ref('int_timing_awards') }} a
join tested_vendors v on v.vendor_key = a.vendor_key
group by a.vendor_key
