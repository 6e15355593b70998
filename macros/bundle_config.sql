{#- Settings of the bundles analysis (vars.bundles), validated: unknown keys and bad values stop
    the build. Journalistic definition (DESIGN §5): gifts an intermediary could have collected
    for a candidate - same employer, same day, >= min_donors distinct donors, to the recipient
    kinds in recipient_kinds (candidate committees by default). -#}
{% macro bundle_settings() %}
  {% set cfg = checked_settings('bundles', {
      'min_donors': 3,
      'exclude_memo': true,
      'recipient_kinds': ['candidate'],
      'unclassified_recipients': 'exclude',
      'payroll_memo_patterns': ['P/R DEDUCTION', 'PAYROLL DEDUCTION'],
  }, {'unclassified_recipients': ['exclude', 'include']}) %}
  {% if cfg.recipient_kinds is string or cfg.recipient_kinds | length == 0 %}
    {{ config_error("vars.bundles.recipient_kinds must be a non-empty list of recipient kinds (e.g. [candidate])") }}
  {% endif %}
  {{ return(cfg) }}
{% endmacro %}

{#- Recipient kinds that are political action committees an employer can sponsor: an
    employee's gift to the employer's own PAC is payroll giving, never a bundle. -#}
{% macro pac_recipient_kinds() %}{{ return(['pac_connected', 'pac_nonconnected']) }}{% endmacro %}

{#- True when a contribution row (alias c, with recipient alias r from int_recipients) is an
    employee's gift to the PAC connected to the donor's own employer: the recipient is a PAC
    and its connected organisation, normalised like every organisation name, equals the
    employer the donor wrote down. -#}
{% macro is_own_employer_pac(c, r) %}
coalesce({{ r }}.recipient_kind in ({% for k in pac_recipient_kinds() %}'{{ k }}'{{ ", " if not loop.last }}{% endfor %})
    and {{ r }}.connected_org_norm is not null
    and {{ r }}.connected_org_norm = {{ c }}.employer_norm, false)
{% endmacro %}

{#- The best vendor each normalised employer links to at the analysis tier or better; ties
    broken by tier, score, then name. One row per employer_norm. -#}
{% macro best_vendor_for_employer() %}
    select employer_norm, vendor_entity_id, vendor_name_norm, link_id, confidence_tier
    from (
        select
            other_name_norm as employer_norm,
            vendor_entity_id,
            vendor_name_norm,
            link_id,
            confidence_tier,
            row_number() over (
                partition by other_name_norm order by tier_rank, score desc, vendor_name_norm
            ) as best_rank
        from {{ ref('int_name_links') }}
        where relation = 'vendor_employer' and tier_rank <= {{ min_link_tier_rank() }}
    ) ranked
    where best_rank = 1
{% endmacro %}

{#- True when the memo text of contribution alias c contains one of the payroll-deduction
    patterns (vars.bundles.payroll_memo_patterns), compared upper-cased. -#}
{% macro memo_says_payroll(c, patterns) %}
coalesce(
    {%- for p in patterns %}
    contains(upper({{ c }}.memo_text), {{ sql_string(p | upper) }}){{ " or " if not loop.last }}
    {%- endfor %}, false)
{%- endmacro %}
