-- Seeded source rules (vars.source_rules ma_ocpf, dc_ocf, ca_calaccess): one row per
-- contributor kind and recipient kind whose contributions count toward a limit but have no
-- limit with a source in seeds/state_contribution_limits.csv, with the seed's note when a row
-- exists without a limit. Empty under other source rules.
{%- set rules = source_rules() %}
select
    c.contributor_kind,
    coalesce(r.recipient_kind, 'unknown') as recipient_kind,
    count(*) as n_contributions,
    min(l.note) as note,
    max(case when l.rules is not null then 1 else 0 end) = 1 as has_seed_row
from {{ ref('int_contributions') }} c
left join {{ ref('int_recipients') }} r on r.recipient_id = c.limit_recipient_id
left join {{ ref('state_contribution_limits') }} l
    on l.rules = {{ mt_literal(rules) }}
    and l.contributor_kind = c.contributor_kind
    and l.recipient_kind = coalesce(r.recipient_kind, 'unknown')
where c.counts_toward_limit and {{ 'true' if rules in seeded_rules() else 'false' }}
group by c.contributor_kind, coalesce(r.recipient_kind, 'unknown')
having max(case when l.limit_amount is not null then 1 else 0 end) = 0
