-- One row: vendors with linked donations, the widest reach, and the amounts.
select
    count(*) as section_rows,
    count(*) as vendors,
    coalesce(max(n_recipients), 0) as max_recipients,
    coalesce(sum(total_amount), 0) as total_amount,
    coalesce(sum(payroll_amount), 0) as payroll_amount
from {{ ref('vendor_breadth') }}
