-- Spark variant of models/intermediate/int_er_aliases.py, in two parts:
-- * curated: the seed and the user file (vars.er_aliases_file) go through the Python model
--   itself (moneytrail/spark_steps.py), in one task: reviewed rows, not the data;
-- * stated by the data: each vendor's parent and doing-business-as names
--   (python_udfs/er_decisions.data_aliases), here in SQL so the contract rows are spread over
--   tasks. Kinds, scopes and notes come from DATA_ALIAS_FIELDS through mt_data_alias_fields();
--   the id is er_decisions._hid('alias-rel:v1', kind, vendor, other).
{{ config(data_aliases_in_sql=true) }}

with curated as (
    {{ mt_python_step('int_er_aliases', {'er_aliases': '*'}, ['aliases_file', 'data_aliases_in_sql']) }}
),

fields as (
    select inline(mt_data_alias_fields())
),

stated as (
    select distinct
        f.field,
        f.relation_kind,
        f.link_scope,
        f.note,
        c.vendor_name_norm as name_norm,
        case f.field
            when 'parent_vendor_name' then c.parent_vendor_name_norm
            when 'dba_name' then c.dba_name_norm
            else raise_error(concat('int_er_aliases: no contracts column for the data alias field ', f.field))
        end as alias_of_norm
    from {{ ref('int_contracts') }} as c
    cross join fields as f
    where c.vendor_name_norm is not null and c.vendor_name_norm <> ''
),

data_aliases as (
    select
        {{ stable_id('alias-rel:v1', ['relation_kind', 'name_norm', 'alias_of_norm']) }} as alias_id,
        concat('data:contracts.', field) as origin,
        name_norm as name,
        alias_of_norm as alias_of,
        name_norm,
        alias_of_norm,
        relation_kind,
        link_scope,
        note,
        concat('contracts data: ', field) as source
    from stated
    where
        alias_of_norm is not null
        and alias_of_norm <> ''
        and mt_alias_key(name_norm) <> mt_alias_key(alias_of_norm)
)

select
    alias_id,
    origin,
    name,
    alias_of,
    name_norm,
    alias_of_norm,
    relation_kind,
    link_scope,
    note,
    source
from curated
union all
select
    alias_id,
    origin,
    name,
    alias_of,
    name_norm,
    alias_of_norm,
    relation_kind,
    link_scope,
    note,
    source
from data_aliases
