-- The first rejected rows of each role, in input order (dataset version, row index), that the
-- report quotes.
{%- set sample_size = 5 %}
select
    role,
    sample_rank,
    row_ref,
    reason,
    date_raw,
    amount_raw
from (
    select
        role,
        row_ref,
        reject_reason as reason,
        date_raw,
        amount_raw,
        row_number() over (partition by role order by dataset_version_id, row_index, row_ref) as sample_rank
    from {{ ref('stg_rejects') }}
) ranked
where sample_rank <= {{ sample_size }}
