-- One row: reviewed decisions and aliases in this build and what they did, and the size of
-- the review queue. For the report (decisions_applied) and for a quick check after a review.
-- link_scopes_counted: the scopes the analyses count (vars.er_link_scopes, checked by the
-- macro er_link_scopes, as in int_cross_links).
{%- set scopes = er_link_scopes() %}
select
    (select count(*) from {{ ref('er_decisions_applied') }}) as decisions,
    (select count(*) from {{ ref('er_decisions_applied') }} where applied) as decisions_applied,
    (select count(*) from {{ ref('er_decisions_applied') }} where effect = 'link_removed') as links_removed,
    (select count(*) from {{ ref('er_decisions_applied') }} where effect = 'link_added') as links_added,
    (select count(*) from {{ ref('er_decisions_applied') }} where effect = 'link_confirmed') as links_confirmed,
    (select count(*) from {{ ref('er_decisions_applied') }} where effect = 'marked_unsure') as links_marked_unsure,
    (select count(*) from {{ ref('er_decisions_applied') }} where effect = 'names_not_in_data') as decisions_not_in_data,
    (select count(*) from {{ ref('int_er_aliases') }}) as aliases,
    (select count(*) from {{ ref('int_er_aliases') }} where origin like 'data:%') as aliases_from_data,
    (select count(*) from {{ ref('int_name_links') }} where alias_id is not null) as alias_links,
    (select count(*) from {{ ref('int_name_links') }} where link_scope = 'family') as family_links,
    -- family by the unit rule (python_udfs/er_decisions.py UNIT_RULE), not by an alias
    (
        select count(*) from {{ ref('int_name_links') }}
        where link_scope = 'family' and alias_id is null and knowledge_note like '%unit of a linked brand:%'
    ) as unit_links,
    -- the matcher's own unit links (python_udfs/matcher_units.py: one name is the other plus words after it)
    (select count(*) from {{ ref('int_name_links') }} where match_type = 'unit' and link_scope = 'family') as unit_match_links,
    (select count(*) from {{ ref('int_name_links') }} where link_scope = 'ownership') as ownership_links,
    (select count(*) from {{ ref('er_review_queue') }}) as review_queue_rows,
    {{ mt_literal(scopes | join(', ')) }} as link_scopes_counted
