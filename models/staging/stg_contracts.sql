-- Accepted contract awards in canonical form. Vendor names are normalised in intermediate
-- (int_contracts), not here.
{{ accepted_rows('contracts', [
    'award_id',
    'vendor_name',
    'parent_vendor_name',
    'dba_name',
    'agency',
    'award_date',
    'contract_value',
    'procurement_method',
    'upper(trim(procurement_method)) as procurement_method_norm',
    'fiscal_year',
]) }}
