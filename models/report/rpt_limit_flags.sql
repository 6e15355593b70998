-- One row: the limit flags' totals, the source rules in force (vars.source_rules), the refund
-- rows that net against donors' totals, and what the seeded state rules say beside them: rows a later amendment restates (CAL-ACCESS) and
-- contributions to party committees (Massachusetts), with those whose party is unknown.
select
    count(*) as section_rows,
    count(*) as flags,
    count(distinct donor_key) as donors,
    count(distinct recipient_id) as recipients,
    coalesce(sum(excess_amount), 0) as total_excess,
    {{ mt_literal(source_rules()) }} as source_rules,
    (
        select count(*) from {{ ref('int_contributions') }}
        where counts_toward_limit and is_refund
    ) as refund_rows,
    (
        select count(*) from {{ ref('int_contributions') }}
        where not_counted_reason like 'superseded by amendment %'
    ) as superseded_rows,
    (
        select count(distinct file_num) from {{ ref('int_contributions') }}
        where not_counted_reason like 'superseded by amendment %'
    ) as superseded_filings,
    (
        select count(*)
        from {{ ref('int_contributions') }} c
        inner join {{ ref('int_recipients') }} r on r.recipient_id = c.limit_recipient_id
        where c.counts_toward_limit and r.recipient_kind = 'party'
    ) as party_rows,
    (
        select count(*)
        from {{ ref('int_contributions') }} c
        inner join {{ ref('int_recipients') }} r on r.recipient_id = c.limit_recipient_id
        where c.counts_toward_limit and r.recipient_kind = 'party' and nullif(trim(r.party), '') is null
    ) as party_rows_without_party
from {{ ref('limit_flags') }}
