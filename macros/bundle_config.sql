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

{#- True when a contribution row (alias c, with recipient alias r: recipient_kind,
    connected_org_norm and pac_name_sponsor_norm) is an employee's gift to the PAC of the donor's
    own employer: the recipient is a PAC and its sponsor's name covers the employer the donor wrote
    down (sponsor_covers_employer). The sponsor's name is the committee master's connected
    organisation, or the one the PAC's own name carries (pac_name_sponsor): the FEC requires a
    separate segregated fund's name to include its connected organisation's full name, and half
    the PACs of a committee master give no connected organisation (Deloitte's, Ernst & Young's).
    own_employer_pac_basis says which of the two matched. -#}
{% macro own_employer_pac_basis(c, r) %}
case
    when coalesce({{ r }}.recipient_kind in ({% for k in pac_recipient_kinds() %}'{{ k }}'{{ ", " if not loop.last }}{% endfor %}), false) then
        case
            when {{ sponsor_covers_employer(r ~ '.connected_org_norm', c ~ '.employer_norm') }} then 'connected_organisation'
            when {{ sponsor_covers_employer(r ~ '.pac_name_sponsor_norm', c ~ '.employer_norm') }} then 'pac_name'
        end
end
{% endmacro %}

{% macro is_own_employer_pac(c, r) %}({{ own_employer_pac_basis(c, r) }}) is not null{% endmacro %}

{#- A sponsor's normalised name covers a normalised employer when they are equal, when the
    employer is the sponsor's name followed by more words (DELOITTE -> DELOITTE TAX, a unit the
    donor named), or when the employer is the sponsor's name cut after two or more whole words
    (CAPITAL ONE -> CAPITAL ONE FINANCIAL); a one-word cut (AMERICAN -> AMERICAN DENTAL
    ASSOCIATION) is not enough. -#}
{% macro sponsor_covers_employer(sponsor, employer) %}
coalesce(length({{ sponsor }}) >= 3 and (
    {{ sponsor }} = {{ employer }}
    or {{ mt_starts_with(employer, sponsor ~ " || ' '") }}
    or ({{ mt_starts_with(sponsor, employer ~ " || ' '") }} and {{ employer }} like '% %')
), false)
{% endmacro %}

{#- The sponsor a PAC's name carries: the normalised name up to its first legal-form word (the
    FEC wants the sponsor's full name with its "Inc." or "Corp.", so that word ends it) or its
    first PAC word (POLITICAL ACTION, PAC, EMPLOYEE(S), GOOD GOVERNMENT, ...), whichever comes
    first: MICROSOFT CORPORATION STAKEHOLDERS VOLUNTARY PAC -> MICROSOFT, BRYAN CAVE LLP POLITICAL
    ACTION COMMITTEE -> BRYAN CAVE; NULL when neither follows a first word (GOOGLE NETPAC). -#}
{% macro pac_name_sponsor(name) %}
{{ normalize_org_name("regexp_extract(" ~ normalize_org_name(name) ~ ", '^(.+?) (AND COMPANY|AND CO|INC|INCORPORATED|CORP|CORPORATION|COMPANY|CO|LLC|LLP|LP|PLLC|PC|POLITICAL ACTION|POLITICAL COMMITTEE|POLITICAL FUND|PAC|EMPLOYEES|EMPLOYEE|GOOD GOVERNMENT|FUND FOR|CIVIC ACTION)( |$)', 1)") }}
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
