{#-
  Engine differences, one macro each (adapter.dispatch): default__ is DuckDB, spark__ is Apache
  Spark (the `spark` target). Models call these instead of engine-only functions, so one model
  serves both engines. Silent traps on Spark that these macros exist to avoid:
  - string literals: Spark unescapes backslashes ('\b' is a backspace) and reads '' as two
    adjacent literals, so text becomes a literal only through mt_literal (backslash escapes);
  - "name" is a string literal in Spark, not an identifier: identifiers go through mt_ident;
  - trim(x, ' ') takes its arguments the other way round: trim(BOTH ' ' FROM x);
  - lists: index 1-based in DuckDB, 0-based in Spark; collect_list drops NULLs, keeps no order
    and gives [] (not NULL) on no rows: mt_list_agg sorts explicitly and says what it returns.
-#}

{% macro spark__mt_ident(name) %}
  {{ return('`' ~ mt_ident_checked(name).replace('`', '``') ~ '`') }}
{% endmacro %}

{% macro spark__mt_literal(value) %}
  {% if value is string %}
    {% if '\x00' in value %}{{ exceptions.raise_compiler_error("a value holds a NUL character: " ~ tojson(value)) }}{% endif %}
    {{ return("'" ~ value.replace('\\', '\\\\').replace("'", "\\'") ~ "'") }}
  {% endif %}
  {{ return(default__mt_literal(value)) }}
{% endmacro %}


{#- The text type in casts. -#}
{% macro mt_text() %}{{ return(adapter.dispatch('mt_text', 'moneytrail')()) }}{% endmacro %}
{% macro default__mt_text() %}{{ return('varchar') }}{% endmacro %}
{% macro spark__mt_text() %}{{ return('string') }}{% endmacro %}


{#- True when `pattern` (a regex, given as plain text: it is quoted here) matches anywhere in
    expr; NULL for NULL. Patterns must read alike in RE2 and Java (no lookaround, no \d/\w/\s). -#}
{% macro mt_regexp_matches(expr, pattern) %}{{ return(adapter.dispatch('mt_regexp_matches', 'moneytrail')(expr, pattern)) }}{% endmacro %}
{% macro default__mt_regexp_matches(expr, pattern) %}regexp_matches({{ expr }}, {{ mt_literal(pattern) }}){% endmacro %}
{% macro spark__mt_regexp_matches(expr, pattern) %}({{ expr }} rlike {{ mt_literal(pattern) }}){% endmacro %}
{#- The whole text matches the pattern (DuckDB regexp_full_match; Spark: the pattern anchored). -#}
{% macro mt_regexp_full_match(expr, pattern) %}{{ return(adapter.dispatch('mt_regexp_full_match', 'moneytrail')(expr, pattern)) }}{% endmacro %}
{% macro default__mt_regexp_full_match(expr, pattern) %}regexp_full_match({{ expr }}, {{ mt_literal(pattern) }}){% endmacro %}
{% macro spark__mt_regexp_full_match(expr, pattern) %}({{ expr }} rlike {{ mt_literal('^(?:' ~ pattern ~ ')$') }}){% endmacro %}


{#- Date parsed from text with a strptime format, NULL when it does not parse. On Spark the
    format is translated to a datetime pattern; directives other than the ones below are refused. -#}
{% macro mt_try_date(expr, fmt) %}{{ return(adapter.dispatch('mt_try_date', 'moneytrail')(expr, fmt)) }}{% endmacro %}
{% macro default__mt_try_date(expr, fmt) %}cast(try_strptime({{ expr }}, {{ mt_literal(fmt) }}) as date){% endmacro %}
{% macro spark__mt_try_date(expr, fmt) %}
  {#- DuckDB's %m/%d read one or two digits, as do Spark's M/d; but a number written right
      before another (%m%d%Y, as FEC writes dates) needs its fixed width (MM, dd), or Spark's
      variable width swallows the next field and every date silently fails to parse -#}
  {%- set variable = {'%m': 'M', '%d': 'd', '%H': 'H', '%I': 'h', '%M': 'm', '%S': 's'} -%}
  {%- set fixed = {'%Y': 'yyyy', '%m': 'MM', '%d': 'dd', '%y': 'yy', '%H': 'HH', '%I': 'hh', '%M': 'mm', '%S': 'ss', '%p': 'a', '%b': 'MMM', '%B': 'MMMM'} -%}
  {%- set ns = namespace(out='', i=0) -%}
  {%- for _ in range(fmt | length) -%}
    {%- if ns.i < fmt | length -%}
      {%- set ch = fmt[ns.i] -%}
      {%- if ch == '%' and fmt[ns.i:ns.i + 2] == '%%' -%}
        {%- set ns.out = ns.out ~ '%' -%}
        {%- set ns.i = ns.i + 2 -%}
      {%- elif ch == '%' -%}
        {%- set d = fmt[ns.i:ns.i + 2] -%}
        {%- if d not in fixed -%}
          {{ exceptions.raise_compiler_error("date format " ~ tojson(fmt) ~ ": the directive " ~ tojson(d) ~ " has no Spark equivalent here (supported: " ~ fixed.keys() | join(' ') ~ " %%)") }}
        {%- endif -%}
        {%- set adjacent = fmt[ns.i + 2:ns.i + 3] == '%' and fmt[ns.i + 2:ns.i + 4] != '%%' -%}
        {%- set ns.out = ns.out ~ (fixed[d] if adjacent or d not in variable else variable[d]) -%}
        {%- set ns.i = ns.i + 2 -%}
      {%- else -%}
        {%- set ns.out = ns.out ~ ("''" if ch == "'" else (ch if not ch.isalpha() else "'" ~ ch ~ "'")) -%}
        {%- set ns.i = ns.i + 1 -%}
      {%- endif -%}
    {%- endif -%}
  {%- endfor -%}
  cast(try_to_timestamp({{ expr }}, {{ mt_literal(ns.out) }}) as date)
{%- endmacro %}


{#- Lower-case hex SHA-256 of a text. -#}
{% macro mt_sha256(expr) %}{{ return(adapter.dispatch('mt_sha256', 'moneytrail')(expr)) }}{% endmacro %}
{% macro default__mt_sha256(expr) %}sha256({{ expr }}){% endmacro %}
{% macro spark__mt_sha256(expr) %}sha2({{ expr }}, 256){% endmacro %}


{#- Accents off (canonical decomposition minus marks). Spark: the session function
    mt_strip_accents (python_udfs.names.strip_accents, registered by moneytrail/spark_steps.py). -#}
{% macro mt_strip_accents(expr) %}{{ return(adapter.dispatch('mt_strip_accents', 'moneytrail')(expr)) }}{% endmacro %}
{% macro default__mt_strip_accents(expr) %}strip_accents({{ expr }}){% endmacro %}
{% macro spark__mt_strip_accents(expr) %}mt_strip_accents({{ expr }}){% endmacro %}


{#- All matches of a regex replaced (replacement without back-references). -#}
{% macro mt_regexp_replace_all(expr, pattern, replacement) %}{{ return(adapter.dispatch('mt_regexp_replace_all', 'moneytrail')(expr, pattern, replacement)) }}{% endmacro %}
{% macro default__mt_regexp_replace_all(expr, pattern, replacement) %}regexp_replace({{ expr }}, {{ mt_literal(pattern) }}, {{ mt_literal(replacement) }}, 'g'){% endmacro %}
{% macro spark__mt_regexp_replace_all(expr, pattern, replacement) %}regexp_replace({{ expr }}, {{ mt_literal(pattern) }}, {{ mt_literal(replacement.replace('$', '\\$')) }}){% endmacro %}


{#- Aggregate into a list, ordered by `order_by` (a list of expressions, ascending; default: the
    value itself), optionally distinct (then ordered by the value), filtered, cut to the first
    `limit` items. NULL when the filter leaves no row (as DuckDB's list). Spark: collect_list
    keeps no order, so rows are collected as structs of (order keys..., value) and sorted; with
    distinct, collect_set drops NULL values (pass non-NULL values or filter them). -#}
{% macro mt_list_agg(expr, order_by=none, distinct=false, filter=none, limit=none) %}{{ return(adapter.dispatch('mt_list_agg', 'moneytrail')(expr, order_by, distinct, filter, limit)) }}{% endmacro %}

{#- DuckDB: the list is gathered unordered and sorted afterwards (list_sort of structs of the
    order keys and the value, NULLs last as ORDER BY puts them), which gives the order of
    `list(expr order by ...)` without its per-group sort state: over 5.8M values in 1.4M
    groups that ordered aggregate took 5x the time and 1.4x the memory, and limit_flags at 70M
    contribution rows builds within 4 GB only with this form. Ties in the keys are broken by
    the value. -#}
{% macro default__mt_list_agg(expr, order_by, distinct, filter, limit) -%}
{%- set where = ' filter (where ' ~ filter ~ ')' if filter else '' -%}
{%- if distinct -%}
{%- if order_by and order_by != [expr] -%}{{ exceptions.raise_compiler_error('mt_list_agg: a distinct list is ordered by its value; got order_by ' ~ order_by) }}{%- endif -%}
list_sort(list(distinct {{ expr }}){{ where }}, 'ASC', 'NULLS LAST')
{%- else -%}
{%- set order = order_by or [expr] -%}
{%- set keys = [] -%}{%- for k in order %}{% do keys.append('k' ~ loop.index ~ ' := ' ~ k) %}{% endfor -%}
{#- the value is read back from its own key when it is one (half the memory for row references) -#}
{%- if expr in order %}{% set value = 'k' ~ (order.index(expr) + 1) %}{% else %}{% do keys.append('v := ' ~ expr) %}{% set value = 'v' %}{% endif -%}
list_transform(list_sort(list(struct_pack({{ keys | join(', ') }})){{ where }}, 'ASC', 'NULLS LAST'), x -> x.{{ value }})
{%- endif -%}
{{ '[1:' ~ limit ~ ']' if limit }}
{%- endmacro %}

{% macro spark__mt_list_agg(expr, order_by, distinct, filter, limit) -%}
{%- set where = ' filter (where ' ~ filter ~ ')' if filter else '' -%}
{%- if distinct -%}
{%- set agg = 'array_sort(collect_set(' ~ expr ~ ')' ~ where ~ ')' -%}
{%- else -%}
{%- set keys = [] -%}{%- for k in order_by or [expr] %}{% do keys.append(k ~ ' as k' ~ loop.index) %}{% endfor -%}
{%- set agg = 'transform(array_sort(collect_list(struct(' ~ keys | join(', ') ~ ', ' ~ expr ~ ' as v))' ~ where ~ '), x -> x.v)' -%}
{%- endif -%}
{%- if filter %}{% set agg = 'case when count(*)' ~ where ~ ' > 0 then ' ~ agg ~ ' end' %}{% endif -%}
{{ 'slice(' ~ agg ~ ', 1, ' ~ limit ~ ')' if limit else agg }}
{%- endmacro %}


{#- The first `n` values of `expr` in the order of `order_by` (a list of expressions, ascending,
    that orders the rows without ties), as a list. DuckDB keeps only the n best rows of each group
    (min_by with a count), so a group of millions of rows costs no sort and no list of them all;
    Spark collects and sorts (mt_list_agg with a limit). -#}
{% macro mt_first_n(expr, order_by, n) %}{{ return(adapter.dispatch('mt_first_n', 'moneytrail')(expr, order_by, n)) }}{% endmacro %}
{% macro default__mt_first_n(expr, order_by, n) %}min_by({{ expr }}, ({{ order_by | join(', ') }}), {{ n }}){% endmacro %}
{% macro spark__mt_first_n(expr, order_by, n) %}{{ spark__mt_list_agg(expr, order_by, false, none, n) }}{% endmacro %}


{#- Texts joined with `sep` in the order of `order_by`; NULL when no row (as string_agg). -#}
{% macro mt_string_agg(expr, sep, order_by, filter=none) %}{{ return(adapter.dispatch('mt_string_agg', 'moneytrail')(expr, sep, order_by, filter)) }}{% endmacro %}
{% macro default__mt_string_agg(expr, sep, order_by, filter) -%}
string_agg({{ expr }}, {{ mt_literal(sep) }} order by {{ order_by | join(', ') }}){{ ' filter (where ' ~ filter ~ ')' if filter }}
{%- endmacro %}
{% macro spark__mt_string_agg(expr, sep, order_by, filter) -%}
{%- set list = spark__mt_list_agg(expr, order_by, false, filter, none) -%}
case when count({{ expr }}){{ ' filter (where ' ~ filter ~ ')' if filter }} > 0 then array_join({{ list }}, {{ mt_literal(sep) }}) end
{%- endmacro %}


{#- The value of the first row in the order of `order_by` (a list of expressions). -#}
{% macro mt_first(expr, order_by) %}{{ return(adapter.dispatch('mt_first', 'moneytrail')(expr, order_by)) }}{% endmacro %}
{% macro default__mt_first(expr, order_by) %}first({{ expr }} order by {{ order_by | join(', ') }}){% endmacro %}
{% macro spark__mt_first(expr, order_by) %}min_by({{ expr }}, struct({{ order_by | join(', ') }})){% endmacro %}


{#- List helpers: a list literal, an empty typed text list, length (NULL for NULL on both:
    Spark runs with ANSI on, where size(NULL) is NULL, not -1), filter with a lambda `x -> ...`,
    overlap, one row per element (in a select list), flatten a list of lists. -#}
{% macro mt_list(items) %}{{ return(adapter.dispatch('mt_list', 'moneytrail')(items)) }}{% endmacro %}
{% macro default__mt_list(items) %}[{{ items | join(', ') }}]{% endmacro %}
{% macro spark__mt_list(items) %}array({{ items | join(', ') }}){% endmacro %}

{% macro mt_text_list_type() %}{{ return(adapter.dispatch('mt_text_list_type', 'moneytrail')()) }}{% endmacro %}
{% macro default__mt_text_list_type() %}{{ return('varchar[]') }}{% endmacro %}
{% macro spark__mt_text_list_type() %}{{ return('array<string>') }}{% endmacro %}

{% macro mt_empty_text_list() %}cast({{ mt_list([]) }} as {{ mt_text_list_type() }}){% endmacro %}

{% macro mt_list_len(expr) %}{{ return(adapter.dispatch('mt_list_len', 'moneytrail')(expr)) }}{% endmacro %}
{% macro default__mt_list_len(expr) %}len({{ expr }}){% endmacro %}
{% macro spark__mt_list_len(expr) %}size({{ expr }}){% endmacro %}

{% macro mt_list_filter(expr, lambda) %}{{ return(adapter.dispatch('mt_list_filter', 'moneytrail')(expr, lambda)) }}{% endmacro %}
{% macro default__mt_list_filter(expr, lambda) %}list_filter({{ expr }}, {{ lambda }}){% endmacro %}
{% macro spark__mt_list_filter(expr, lambda) %}filter({{ expr }}, {{ lambda }}){% endmacro %}

{% macro mt_list_overlap(a, b) %}{{ return(adapter.dispatch('mt_list_overlap', 'moneytrail')(a, b)) }}{% endmacro %}
{% macro default__mt_list_overlap(a, b) %}list_has_any({{ a }}, {{ b }}){% endmacro %}
{% macro spark__mt_list_overlap(a, b) %}arrays_overlap({{ a }}, {{ b }}){% endmacro %}

{% macro mt_unnest(expr) %}{{ return(adapter.dispatch('mt_unnest', 'moneytrail')(expr)) }}{% endmacro %}
{% macro default__mt_unnest(expr) %}unnest({{ expr }}){% endmacro %}
{% macro spark__mt_unnest(expr) %}explode({{ expr }}){% endmacro %}

{#- A struct value from a mapping of field name -> SQL expression. -#}
{% macro mt_struct(fields) %}{{ return(adapter.dispatch('mt_struct', 'moneytrail')(fields)) }}{% endmacro %}
{% macro default__mt_struct(fields) %}{ {%- for k, v in fields.items() %}{{ mt_literal(k) }}: {{ v }}{{ ', ' if not loop.last }}{% endfor -%} }{% endmacro %}
{% macro spark__mt_struct(fields) %}named_struct({%- for k, v in fields.items() %}{{ mt_literal(k) }}, {{ v }}{{ ', ' if not loop.last }}{% endfor -%}){% endmacro %}

{% macro mt_starts_with(expr, prefix) %}{{ return(adapter.dispatch('mt_starts_with', 'moneytrail')(expr, prefix)) }}{% endmacro %}
{% macro default__mt_starts_with(expr, prefix) %}starts_with({{ expr }}, {{ prefix }}){% endmacro %}
{% macro spark__mt_starts_with(expr, prefix) %}startswith({{ expr }}, {{ prefix }}){% endmacro %}


{#- Written after `name as` in a WITH clause: the CTE is inlined into each query part that reads
    it, never materialised. DuckDB materialises a CTE read more than once: every column of every
    row held in memory (spilled beyond memory_limit) before the first reader starts, which for a
    row-level CTE over all contributions costs more than computing it again. Inlined, each reader
    scans only the columns and rows it needs, streamed. Spark always inlines: nothing to say. -#}
{% macro mt_cte_inline() %}{{ return(adapter.dispatch('mt_cte_inline', 'moneytrail')()) }}{% endmacro %}
{% macro default__mt_cte_inline() %}not materialized{% endmacro %}
{% macro spark__mt_cte_inline() %}{% endmacro %}


{#- The columns of a relation except some, as DuckDB's `alias.* exclude (...)`. Spark: the
    columns listed from the built relation (an error when it has none, never a silent *). -#}
{% macro mt_star_except(relation, except, alias) %}{{ return(adapter.dispatch('mt_star_except', 'moneytrail')(relation, except, alias)) }}{% endmacro %}
{% macro default__mt_star_except(relation, except, alias) %}{{ alias }}.* exclude ({{ except | join(', ') }}){% endmacro %}
{% macro spark__mt_star_except(relation, except, alias) -%}
{%- if not execute %}{{ return(alias ~ '.*') }}{% endif -%}
{%- set skip = except | map('lower') | list -%}
{%- set cols = [] -%}
{%- for c in adapter.get_columns_in_relation(relation) -%}
{%- if c.name | lower not in skip %}{% do cols.append(alias ~ '.' ~ mt_ident(c.name)) %}{% endif -%}
{%- endfor -%}
{%- if not cols -%}
{{ exceptions.raise_compiler_error("mt_star_except: no columns found for " ~ relation ~ " (not built yet, or a unit-test fixture: unit tests run on DuckDB)") }}
{%- endif -%}
{{ return(cols | join(', ')) }}
{%- endmacro %}


{#- Seeds on Spark: dbt-spark 1.11.0's session method pastes seed values into the INSERT
    unquoted (`sql % bindings`), so a value holding a quote breaks the statement or, worse,
    changes it. Here every value becomes a literal through mt_literal, cast to its column type. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set types = [] -%}
  {%- for col_name in agate_table.column_names -%}
    {%- do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
  {%- endfor -%}
  {%- set statements = [] -%}
  {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
    {%- set rows = [] -%}
    {%- for row in chunk -%}
      {%- set values = [] -%}
      {%- for value in row -%}
        {%- set literal = mt_literal(value if value is none or value is boolean or value is number else value | string) -%}
        {%- do values.append('cast(' ~ literal ~ ' as ' ~ types[loop.index0] ~ ')') -%}
      {%- endfor -%}
      {%- do rows.append('(' ~ values | join(', ') ~ ')') -%}
    {%- endfor -%}
    {%- set sql = 'insert into ' ~ this.render() ~ ' values ' ~ rows | join(', ') -%}
    {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
    {%- do statements.append(sql) -%}
  {%- endfor -%}
  {{ return(statements[0] if statements else '') }}
{% endmacro %}

{#- The first n elements of a list. -#}
{% macro mt_list_head(expr, n) %}{{ return(adapter.dispatch('mt_list_head', 'moneytrail')(expr, n)) }}{% endmacro %}
{% macro default__mt_list_head(expr, n) %}{{ expr }}[1:{{ n }}]{% endmacro %}
{% macro spark__mt_list_head(expr, n) %}slice({{ expr }}, 1, {{ n }}){% endmacro %}
