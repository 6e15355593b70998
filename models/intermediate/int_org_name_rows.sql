{{ config(materialized='view') }}
-- Every row that carries an organisation name, with the side it is on: the one definition of
-- which names take part in entity resolution (non-answer employers never do).
select
    'vendor' as side,
    'contracts' as role,
    'vendor_name' as field,
    vendor_name_norm as name_norm,
    vendor_name as name_raw,
    row_ref,
    row_index
from {{ ref('int_contracts') }}
where vendor_name_norm is not null
union all
select
    'employer',
    'contributions',
    'employer',
    employer_norm,
    employer,
    row_ref,
    row_index
from {{ ref('int_contributions') }}
where employer_norm is not null
  and not employer_is_non_answer
  and not is_organisation
union all
select
    'business_donor',
    'contributions',
    'donor_name',
    donor_org_norm,
    donor_name,
    row_ref,
    row_index
from {{ ref('int_contributions') }}
where is_organisation and donor_org_norm is not null
