-- The bundles chart of the HTML report: per day, the money bundled, the bundles and their donors.
select
    donation_date,
    sum(total_amount) as total_amount,
    count(*) as n_bundles,
    coalesce(sum(n_donors), 0) as n_donors
from {{ ref('bundles') }}
where donation_date is not null
group by donation_date
