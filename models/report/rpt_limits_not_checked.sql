-- Seeded source rules (vars.source_rules ma_ocpf, dc_ocf, ca_calaccess): one row per
-- contributor kind and recipient kind whose contributions count toward a limit but have no
-- limit with a source in seeds/state_contribution_limits.csv, with the seed's note when a row
-- exists without a limit. A limit that depends on the recipient's office (the seed row's
-- recipient_office pattern, DC) applies only where int_recipients gives the office:
-- office_unknown marks the contributions to recipients without one, which no limit covers.
-- Empty under other source rules.
{%- set rules = source_rules() %}
with matched as (
    select
        c.row_ref,
        c.contributor_kind,
        coalesce(r.recipient_kind, 'unknown') as recipient_kind,
        r.office is null and nullif(l.recipient_office, '') is not null as office_unknown,
        -- the seed row applies: same rules and kinds, and its office pattern (if any) fits
        coalesce(l.rules is not null and {{ seed_office_fits('l', 'r.office') }}, false) as applies,
        l.limit_amount,
        l.note
    from {{ ref('int_contributions') }} c
    left join {{ ref('int_recipients') }} r on r.recipient_id = c.limit_recipient_id
    left join {{ ref('state_contribution_limits') }} l
        on l.rules = {{ mt_literal(rules) }}
        and l.contributor_kind = c.contributor_kind
        and l.recipient_kind = coalesce(r.recipient_kind, 'unknown')
    where c.counts_toward_limit and {{ 'true' if rules in seeded_rules() else 'false' }}
),
per_row as (
    -- one row per contribution: does any seed row give it a limit, and was its office missing
    select
        row_ref,
        min(contributor_kind) as contributor_kind,
        min(recipient_kind) as recipient_kind,
        max(case when applies and limit_amount is not null then 1 else 0 end) = 1 as has_limit,
        max(case when office_unknown then 1 else 0 end) = 1 as office_unknown,
        min(case when applies then note end) as note,
        max(case when applies then 1 else 0 end) = 1 as has_seed_row
    from matched
    group by row_ref
)
select
    contributor_kind,
    recipient_kind,
    office_unknown,
    count(*) as n_contributions,
    min(note) as note,
    max(case when has_seed_row then 1 else 0 end) = 1 as has_seed_row
from per_row
where not has_limit
group by contributor_kind, recipient_kind, office_unknown
