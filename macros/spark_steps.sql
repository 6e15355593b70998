{#- The body of a Spark variant of a Python model (models/spark/): the rows of its inputs go to
    the session function mt_step_<name> (moneytrail/spark_steps.py runs the Python model file
    on them) and its result is exploded back into rows. `refs` maps each input to the columns
    passed ('*' for all); `config_keys` are the model config values the Python model reads. -#}
{% macro mt_python_step(name, refs, config_keys) %}
{%- set cfg = {} %}
{%- for key in config_keys %}{% do cfg.update({key: config.get(key)}) %}{% endfor %}
select step.*
from (
    select inline(mt_step_{{ name }}(
        {{ mt_literal(tojson(cfg)) }},
        named_struct(
            {%- for r, cols in refs.items() %}
            {{ mt_literal(r) }}, (select collect_list(struct({{ cols if cols == '*' else cols | join(', ') }})) from {{ ref(r) }}){{ "," if not loop.last }}
            {%- endfor %}
        )
    ))
) step
{% endmacro %}

{#- The bucket of right names that scores a name pair on Spark (models/spark/int_match_pairs.sql,
    int_name_matches.sql): a hash of the relation and the right name, so every pair of one
    right name is scored in one task. -#}
{% macro mt_match_bucket_of(relation, right_name) -%}
pmod(xxhash64({{ relation }}, {{ right_name }}), 32)
{%- endmacro %}

{#- The bucket of vendors whose timing tests run in one task on Spark
    (models/spark/int_timing_tests.sql): a hash of the vendor key. -#}
{% macro mt_timing_bucket_of(vendor_key) -%}
pmod(xxhash64({{ vendor_key }}), 32)
{%- endmacro %}
