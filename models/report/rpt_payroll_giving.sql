-- One row: payroll giving's totals, and whether its two signals could be evaluated: recipients
-- known to be PACs (committee-kind data) and contributions carrying memo text.
select
    count(*) as section_rows,
    count(*) as employer_pacs,
    coalesce(sum(n_contributions), 0) as contributions,
    coalesce(sum(total_amount), 0) as total_amount,
    coalesce(sum(n_to_own_employer_pac), 0) as contributions_to_own_employer_pac,
    coalesce(sum(n_sponsor_from_pac_name), 0) as of_which_sponsor_from_pac_name,
    coalesce(sum(n_memo_payroll), 0) as contributions_with_payroll_memo,
    count(linked_vendor_entity_id) as linked_to_vendor,
    (
        select count(*) from {{ ref('int_recipients') }}
        where recipient_kind in ({% for k in pac_recipient_kinds() %}'{{ k }}'{{ ", " if not loop.last }}{% endfor %})
    ) as known_pacs,
    (select count(*) from {{ ref('stg_contributions') }} where memo_text is not null) as contributions_with_memo_text
from {{ ref('payroll_giving') }}
