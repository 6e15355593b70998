-- Accepted contract awards in canonical form with the normalised vendor name.
with base as (
    select * from {{ ref('base_contracts') }}
    where passes_when and reject_reason is null
),
-- normalised once per distinct spelling
vendor_names as (
    select name, {{ normalize_org_name('name') }} as name_norm
    from (
        select vendor_name as name from base
        union
        select parent_vendor_name from base where parent_vendor_name is not null
        union
        select dba_name from base where dba_name is not null
    )
)
select
    base.row_ref,
    base.dataset_version_id,
    base.row_index,
    base.award_id,
    base.vendor_name,
    v.name_norm as vendor_name_norm,
    parent_vendor_name,
    p.name_norm as parent_vendor_name_norm,
    dba_name,
    d.name_norm as dba_name_norm,
    agency,
    award_date,
    contract_value,
    procurement_method,
    upper(trim(procurement_method)) as procurement_method_norm,
    fiscal_year
from base
left join vendor_names v on v.name = base.vendor_name
left join vendor_names p on p.name = base.parent_vendor_name
left join vendor_names d on d.name = base.dba_name
