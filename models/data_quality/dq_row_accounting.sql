-- Where every input row went, per role: kept by `when:`, rejected, or staged. A data test checks
-- input_rows = filtered_out + rejected + staged, so no row can vanish between raw and staging.
{%- set roles = active_roles() %}
{%- for role in roles %}
select
    '{{ role }}' as role,
    count(*) as input_rows,
    count(*) filter (where not passes_when) as filtered_out,
    count(*) filter (where passes_when and reject_reason is not null) as rejected,
    (select count(*) from {{ ref('stg_' ~ role) }}) as staged,
    {{ reject_tolerance(role) }} as reject_tolerance
from {{ ref('base_' ~ role) }}
{{ "union all" if not loop.last }}
{%- endfor %}
