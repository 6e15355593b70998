-- Distinct normalised organisation names per side, with how often and how they were written.
-- The matcher works on these (thousands of names), never on rows (millions).
with vendors as (
    select
        'vendor' as side,
        'contracts' as role,
        'vendor_name' as field,
        vendor_name_norm as name_norm,
        vendor_name as name_raw,
        row_ref
    from {{ ref('stg_contracts') }}
    where vendor_name_norm is not null
),
employers as (
    select
        'employer' as side,
        'contributions' as role,
        'employer' as field,
        employer_norm as name_norm,
        employer as name_raw,
        row_ref
    from {{ ref('stg_contributions') }}
    where employer_norm is not null
      and not employer_is_non_answer
      and not is_organisation
),
business_donors as (
    select
        'business_donor' as side,
        'contributions' as role,
        'donor_name' as field,
        donor_org_norm as name_norm,
        donor_name as name_raw,
        row_ref
    from {{ ref('stg_contributions') }}
    where is_organisation and donor_org_norm is not null
),
all_names as (
    select * from vendors
    union all select * from employers
    union all select * from business_donors
)
select
    side,
    role,
    field,
    name_norm,
    count(*) as n_rows,
    count(distinct name_raw) as n_spellings,
    list(distinct name_raw order by name_raw)[1:5] as sample_spellings
from all_names
group by side, role, field, name_norm
