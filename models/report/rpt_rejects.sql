-- One row: how many input rows were rejected, all roles together.
select count(*) as rejected_rows
from {{ ref('stg_rejects') }}
