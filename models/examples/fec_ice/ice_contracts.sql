-- The contracts role for the FEC x ICE example, written the way a user would: ICE awards
-- (freezer) joined to the fiscal year their PIID first appears in (rainViz). Every award keeps
-- its own row_ref, so findings still trace back to the freezer row.
{{ config(enabled=var('fec_ice_example', false)) }}
with awards as (
    select * from {{ source('fec_ice', 'ice_freezer') }}
),
first_year as (
    select award_id_piid, min(financial_year) as fiscal_year
    from {{ source('fec_ice', 'ice_rainviz') }}
    group by award_id_piid
)
select
    {{ raw_row_ref('awards', 'ice_freezer') }} as row_ref,
    awards.award_id,
    awards.recipient_name,
    awards.parent_name,
    awards.current_total_value,
    awards.awarding_office_name,
    first_year.fiscal_year
from awards
left join first_year on first_year.award_id_piid = awards.award_id
