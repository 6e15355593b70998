-- The link graph as users read it: one edge per contribution row linked to a vendor. The edges
-- are built in intermediate (int_cross_links) so that intermediate models (the timing test's
-- inputs) read them without a mart feeding intermediate; this mart adds nothing. It is a table,
-- not a view: a DuckDB view names the warehouse's catalog, so it would break in a copied or
-- renamed warehouse file.
select * from {{ ref('int_cross_links') }}
