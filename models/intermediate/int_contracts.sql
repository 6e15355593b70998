-- Every staged contract award with its vendor, parent and doing-business-as names through the one
-- organisation-name normalisation, the names entity resolution and every analysis join on.
with c as (
    select * from {{ ref('stg_contracts') }}
),
-- normalised once per distinct spelling
vendor_names as (
    select name, {{ normalize_org_name('name') }} as name_norm
    from (
        select vendor_name as name from c
        union
        select parent_vendor_name from c where parent_vendor_name is not null
        union
        select dba_name from c where dba_name is not null
    )
)
select
    c.row_ref,
    c.dataset_version_id,
    c.row_index,
    c.award_id,
    c.vendor_name,
    v.name_norm as vendor_name_norm,
    c.parent_vendor_name,
    p.name_norm as parent_vendor_name_norm,
    c.dba_name,
    d.name_norm as dba_name_norm,
    c.agency,
    c.award_date,
    c.contract_value,
    c.procurement_method,
    c.procurement_method_norm,
    c.fiscal_year
from c
left join vendor_names v on v.name = c.vendor_name
left join vendor_names p on p.name = c.parent_vendor_name
left join vendor_names d on d.name = c.dba_name
