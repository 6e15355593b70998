{{ config(materialized='view') }}
-- The link graph as users read it: one edge per contribution row linked to a vendor. The edges
-- are built in intermediate (int_cross_links) so that intermediate models (the timing test's
-- inputs) read them without a mart feeding intermediate; this view adds nothing.
select * from {{ ref('int_cross_links') }}
