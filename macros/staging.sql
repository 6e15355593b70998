{#-
  The body of a base model: the role's relation renamed to canonical fields and typed, with a
  row reference, the `when:` verdict and a reject reason per row. Nothing is dropped here:
  stg_<role> keeps accepted rows, stg_rejects keeps rows that did not parse, and
  dq_row_accounting proves that input = filtered out + rejected + staged.
-#}
{% macro stage_role(role) %}
{%- if role not in active_roles() -%}
{{ empty_role(role) }}
{%- else -%}
{%- do mt_check_run_config() -%}
{%- set cfg = role_config(role) -%}
{%- set relation = role_relation(role) -%}
{%- set fields = role_fields()[role] -%}
with source as (
    select * from {{ relation }}
),
{%- if 'model' not in cfg %}
manifest as (
    select dataset_version_id
    from {{ source('raw', 'ingest_manifest') }}
    where table_name = {{ sql_string(cfg.get('table', role)) }}
),
{%- endif %}
renamed as (
    select
        {%- if 'model' not in cfg %}
        'db://' || manifest.dataset_version_id || '#row_index=' || source.row_index as row_ref,
        manifest.dataset_version_id,
        source.row_index,
        {%- else %}
        cast(source.row_ref as {{ mt_text() }}) as row_ref,
        {%- endif %}
        {{ role_when_predicate(role) }} as passes_when,
        {%- for field, spec in fields.items() %}
        {%- set value_sql = role_field_sql(role, field, 'source') %}
        {%- if value_sql is none %}
        cast(null as {{ mt_text() }}) as {{ field }}_text{{ "," if not loop.last }}
        {%- else %}
        {{ value_sql }} as {{ field }}_text{{ "," if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from source
    {%- if 'model' not in cfg %}
    {#- fail closed: a raw table without its manifest row has no dataset_version_id #}
    left join manifest on true
    {%- endif %}
),
typed as (
    {#- no trailing comma when a role has no date or amount field (Spark refuses one) #}
    select
        *
        {%- for field, spec in fields.items() %}
        {%- if spec.type == 'date' %}
        {%- set mapped = (cfg.get('columns') or {}).get(field) %}
        {%- set fmt = mapped.get('format', '%Y-%m-%d') if mapped is mapping else '%Y-%m-%d' %}
        , {{ mt_try_date(field ~ '_text', fmt) }} as {{ field }}
        {%- elif spec.type == 'amount' %}
        {#- a non-zero digit past the cents would be rounded away by the cast: reject instead
            (checked on the text: a DECIMAL(38,10) cast is two orders of magnitude slower) #}
        , {{ mt_regexp_matches(field ~ '_text', '[.][0-9]{2}[0-9]*[1-9]|[eE]-') }} as {{ field }}_has_extra_decimals
        , try_cast({{ field }}_text as decimal(18, 2)) as {{ field }}_exact
        {%- endif %}
        {%- endfor %}
    from renamed
),
checked as (
    select
        *,
        concat_ws('; ',
            {%- if 'model' not in cfg %}
            case when dataset_version_id is null then 'table has no ingest manifest row' end,
            {%- else %}
            case when row_ref is null then 'missing row_ref' end,
            {%- endif %}
            {%- for field, spec in fields.items() %}
            {%- if spec.nonempty %}
            case when {{ field }}_text is null then 'missing {{ field }}' end,
            {%- endif %}
            {%- if spec.type == 'date' %}
            case when {{ field }}_text is not null and {{ field }} is null then 'unparseable {{ field }}' end,
            {%- elif spec.type == 'amount' %}
            case when {{ field }}_text is not null and {{ field }}_exact is null then 'unparseable {{ field }}' end,
            case when {{ field }}_exact is not null and {{ field }}_has_extra_decimals then '{{ field }} has more than 2 decimal places' end,
            {%- endif %}
            {%- endfor %}
            null
        ) as reject_reasons
    from typed
)
select
    row_ref,
    {%- if 'model' not in cfg %}
    dataset_version_id,
    row_index,
    {%- else %}
    {#- a model's row_ref points at the raw row it came from; its parts are recovered from it #}
    nullif(regexp_extract(row_ref, '^db://([^#]+)#row_index=[0-9]+$', 1), '') as dataset_version_id,
    cast(nullif(regexp_extract(row_ref, '^db://[^#]+#row_index=([0-9]+)$', 1), '') as bigint) as row_index,
    {%- endif %}
    passes_when,
    nullif(reject_reasons, '') as reject_reason,
    {#- joined, so no trailing comma when a role has no date or amount field (Spark refuses one) #}
    {%- set items = [] %}
    {%- for field, spec in fields.items() %}
    {%- if spec.type == 'date' %}
    {%- do items.append(field) %}
    {%- elif spec.type == 'amount' %}
    {%- do items.append('case when not ' ~ field ~ '_has_extra_decimals then ' ~ field ~ '_exact end as ' ~ field) %}
    {%- else %}
    {%- do items.append(field ~ '_text as ' ~ field) %}
    {%- endif %}
    {%- endfor %}
    {%- for field, spec in fields.items() if spec.type in ('date', 'amount') %}
    {%- do items.append(field ~ '_text as ' ~ field ~ '_raw') %}
    {%- endfor %}
    {{ items | join(',\n    ') }}
from checked
{%- endif %}
{% endmacro %}


{#- The same columns as stage_role, no rows: an optional role this run does not configure
    (e.g. candidates when the committee master is the recipients directory). dq_row_accounting
    lists only the roles a run stages, so nothing claims rows that were never there. -#}
{% macro empty_role(role) %}
select
    cast(null as {{ mt_text() }}) as row_ref,
    cast(null as {{ mt_text() }}) as dataset_version_id,
    cast(null as bigint) as row_index,
    cast(null as boolean) as passes_when,
    {%- for field, spec in role_fields()[role].items() %}
    cast(null as {{ 'date' if spec.type == 'date' else ('decimal(18, 2)' if spec.type == 'amount' else mt_text()) }}) as {{ field }},
    {%- endfor %}
    {%- for field, spec in role_fields()[role].items() if spec.type in ('date', 'amount') %}
    cast(null as {{ mt_text() }}) as {{ field }}_raw,
    {%- endfor %}
    cast(null as {{ mt_text() }}) as reject_reason
where false
{% endmacro %}


{#- Row reference of a raw table's rows, for models a role map points at (role: model:).
    `alias` is the table's alias in the query, `table_name` its name in the raw schema. -#}
{% macro raw_row_ref(alias, table_name) %}
'db://' || (select dataset_version_id from {{ source('raw', 'ingest_manifest') }} where table_name = {{ sql_string(table_name) }}) || '#row_index=' || {{ alias }}.row_index
{% endmacro %}


{#- The accepted rows of a role (passed its when: filters and parsed), with the row reference
    columns first and then `columns`: canonical field names or `expression as name`. The one
    shape of every stg_<role> model that only renames and casts. -#}
{% macro accepted_rows(role, columns) %}
select
    row_ref,
    dataset_version_id,
    row_index,
    {%- for c in columns %}
    {{ c }}{{ "," if not loop.last }}
    {%- endfor %}
from {{ ref('base_' ~ role) }}
where passes_when and reject_reason is null
{% endmacro %}
