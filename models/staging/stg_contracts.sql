-- Accepted contract awards in canonical form with the normalised vendor name.
with base as (
    select * from {{ ref('base_contracts') }}
    where passes_when and reject_reason is null
)
select
    row_ref,
    dataset_version_id,
    row_index,
    award_id,
    vendor_name,
    {{ normalize_org_name('vendor_name') }} as vendor_name_norm,
    parent_vendor_name,
    {{ normalize_org_name('parent_vendor_name') }} as parent_vendor_name_norm,
    agency,
    award_date,
    contract_value,
    procurement_method,
    upper(trim(procurement_method)) as procurement_method_norm,
    fiscal_year
from base
