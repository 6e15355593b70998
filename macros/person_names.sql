{#- People's names are compared as written, folded: upper case, accents and punctuation off,
    whitespace collapsed. No reordering: "SMITH, JOHN" and "JOHN SMITH" stay different keys. -#}
{% macro normalize_person_name(expr) %}
nullif(trim({{ mt_regexp_replace_all(mt_regexp_replace_all('upper(' ~ mt_strip_accents(expr) ~ ')', '[^A-Z0-9 ]+', ' '), ' +', ' ') }}), '')
{% endmacro %}

{#- First five digits of a ZIP code; other postal codes pass through trimmed and upper-cased. -#}
{% macro zip5(expr) %}
case when {{ mt_regexp_matches(expr, '^[0-9]{5}') }} then left({{ expr }}, 5) else nullif(upper(trim({{ expr }})), '') end
{% endmacro %}

{#- One key per person for donor identity: "LAST, FIRST" with titles (MR, DR, ...) and
    professional suffixes (MD, PHD, ESQ, ...) dropped, middle names and initials dropped,
    generational suffixes (JR, SR, II, III, IV) kept because they tell a father from a son at
    the same address. Names written without a comma keep their words minus titles, suffixes
    and single letters. FEC writes names "LAST, FIRST MIDDLE TITLE". Trade-off measured in the
    README (FEC example): it merges spellings of one person and can merge two people who share
    last name, first name and ZIP but not a middle initial. -#}
{% macro person_name_key(expr) %}{{ return(adapter.dispatch('person_name_key', 'moneytrail')(expr)) }}{% endmacro %}

{% macro default__person_name_key(expr) %}
{%- set drop = ['MR', 'MRS', 'MS', 'MISS', 'MX', 'DR', 'HON', 'REV', 'PROF', 'SIR', 'MD', 'PHD', 'DDS', 'DMD', 'DVM', 'ESQ', 'CPA', 'JD', 'RN', 'DO', 'OD', 'RET', 'SGT', 'COL', 'CAPT', 'GEN', 'MAJ', 'LT', 'CDR', 'ADM'] -%}
{%- set gens = ['JR', 'SR', 'II', 'III', 'IV'] -%}
{%- set drop_list = "['" ~ drop | join("', '") ~ "']" -%}
{%- set gen_list = "['" ~ gens | join("', '") ~ "']" -%}
(
    with n as (
        select trim(regexp_replace(upper(strip_accents(cast({{ expr }} as varchar))), '[^A-Z0-9, ]+', ' ', 'g')) as s
    ),
    p as (
        select
            s,
            position(',' in s) > 0 as has_comma,
            list_filter(string_split_regex(trim(split_part(s, ',', 1)), ' +'), lambda t: t <> '') as head,
            list_filter(string_split_regex(trim(substr(s, position(',' in s) + 1)), '[ ,]+'), lambda t: t <> '') as tail
        from n
    ),
    q as (
        select
            has_comma,
            list_filter(head, lambda t: not list_contains({{ drop_list }}, t) and not list_contains({{ gen_list }}, t)) as last_words,
            list_filter(tail, lambda t: not list_contains({{ drop_list }}, t) and not list_contains({{ gen_list }}, t)) as given_words,
            list_filter(list_concat(head, case when has_comma then tail else [] end), lambda t: list_contains({{ gen_list }}, t)) as gen_words
        from p
    )
    select nullif(trim(
        case
            when has_comma then array_to_string(last_words, ' ') || ', ' || coalesce(given_words[1], '')
            else array_to_string(list_filter(last_words, lambda t: length(t) > 1), ' ')
        end
        || case when len(gen_words) > 0 then ' ' || gen_words[1] else '' end
    ), ',')
    from q
)
{% endmacro %}

{#- The same key on Spark, as one expression (Spark refuses correlated subqueries that do not
    aggregate): the lambdas of the DuckDB form become filter(); lists are 0-based there, so the
    first element is try_element_at(list, 1) (NULL, not an error, on an empty list). DuckDB's
    array_to_string gives NULL for an empty list and Spark's array_join gives '': nullif makes
    a name with no last-name word left (e.g. "MD, NATHAN": MD is a dropped suffix) NULL on both,
    as real OCPF data showed. -#}
{% macro spark__person_name_key(expr) %}
{%- set drop = "array('MR', 'MRS', 'MS', 'MISS', 'MX', 'DR', 'HON', 'REV', 'PROF', 'SIR', 'MD', 'PHD', 'DDS', 'DMD', 'DVM', 'ESQ', 'CPA', 'JD', 'RN', 'DO', 'OD', 'RET', 'SGT', 'COL', 'CAPT', 'GEN', 'MAJ', 'LT', 'CDR', 'ADM')" -%}
{%- set gens = "array('JR', 'SR', 'II', 'III', 'IV')" -%}
{%- set s = "trim(regexp_replace(upper(mt_strip_accents(cast(" ~ expr ~ " as string))), '[^A-Z0-9, ]+', ' '))" -%}
{%- set has_comma = "(position(',' in " ~ s ~ ") > 0)" -%}
{%- set head = "filter(split(trim(split_part(" ~ s ~ ", ',', 1)), ' +'), t -> t <> '')" -%}
{%- set tail = "filter(split(trim(substr(" ~ s ~ ", position(',' in " ~ s ~ ") + 1)), '[ ,]+'), t -> t <> '')" -%}
{%- set keep = "t -> not array_contains(" ~ drop ~ ", t) and not array_contains(" ~ gens ~ ", t)" -%}
{%- set last_words = "filter(" ~ head ~ ", " ~ keep ~ ")" -%}
{%- set given_words = "filter(" ~ tail ~ ", " ~ keep ~ ")" -%}
{%- set gen_words = "filter(concat(" ~ head ~ ", case when " ~ has_comma ~ " then " ~ tail ~ " else cast(array() as array<string>) end), t -> array_contains(" ~ gens ~ ", t))" -%}
nullif(trim(
    case
        when {{ has_comma }} then nullif(array_join({{ last_words }}, ' '), '') || ', ' || coalesce(try_element_at({{ given_words }}, 1), '')
        else nullif(array_join(filter({{ last_words }}, t -> length(t) > 1), ' '), '')
    end
    || case when size({{ gen_words }}) > 0 then ' ' || try_element_at({{ gen_words }}, 1) else '' end
), ',')
{% endmacro %}
