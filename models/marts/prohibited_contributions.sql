-- Contributions a recipient may not accept at all, their own finding kind (not a limit excess).
-- FEC rules: corporations and labor organisations may not contribute from their treasuries to
-- candidates, party committees or PACs (super PACs and non-contribution accounts may take
-- their money); partnerships and LLCs treated as partnerships may, with the gift attributed to
-- their partners. The itcont file writes every such contributor as ENTITY_TP ORG without its
-- legal form, so the form is read from the name (INC/CORP/CO = corporation, a union word =
-- labor organisation: probable; LLC/LLP/LP = doubtful; otherwise doubtful) and each finding
-- says which. An organisation row whose amount is attributed to partners in memo rows is a
-- partnership and lawful: left out. Native American tribes (transaction types 11, 30T, 31T, 32T) may contribute.
-- Generic rules: an organisation's contribution to a candidate, doubtful (the source's own
-- rules are not encoded).
-- Massachusetts (source_rules ma_ocpf): no business or professional corporation, partnership or
-- LLC may contribute to a candidate (M.G.L. c. 55 s. 8): a business contributor kind is probable;
-- a contributor whose kind the file does not state (unknown, organisation) is doubtful. DC and
-- California rules (dc_ocf, ca_calaccess): no prohibition is encoded, so nothing is listed here
-- and the report says that the rule was not checked.
{%- set fec = source_rules() == 'fec' %}
{%- set ma = source_rules() == 'ma_ocpf' %}
{%- set unchecked = source_rules() in ['dc_ocf', 'ca_calaccess'] %}
with rows as (
    select {{ mt_star_except(ref('int_contributions'), ['recipient_name'], 'c') }}, r.recipient_name, r.recipient_kind
    from {{ ref('int_contributions') }} c
    left join {{ ref('int_recipients') }} r on r.recipient_id = c.limit_recipient_id
    where c.counts_toward_limit
      {%- if ma %}
      and c.contributor_kind in ('business', 'organisation', 'unknown')
      {%- elif unchecked %}
      and false
      {%- else %}
      and c.contributor_kind = 'organisation'
      {%- endif %}
      and not c.is_refund
      {%- if fec %}
      and r.recipient_kind in ('candidate', 'party_national', 'party_state_local', 'pac_connected', 'pac_nonconnected', 'leadership_pac', 'hybrid_pac', 'unknown')
      and upper(coalesce(c.transaction_type, '')) not in (
          select transaction_type from {{ ref('fec_transaction_types') }} where description ilike '%tribe%'
      )
      {%- else %}
      and r.recipient_kind = 'candidate'
      {%- endif %}
),
attributions as (
    -- a partnership's gift attributed to its partners: memo rows (MEMO_CD X) of individuals
    -- on the same report line, TRAN_ID = the partnership row's TRAN_ID plus '.n'
    select o.row_ref, count(*) as n_partners, sum(m.amount) as attributed_amount
    from rows o
    join {{ ref('int_contributions') }} m
      on m.recipient_id = o.recipient_id and m.donation_date = o.donation_date
     and m.is_memo and m.contributor_kind = 'individual'
     and {{ mt_starts_with('m.tran_id', "o.tran_id || '.'") }}
    group by o.row_ref
),
named as (
    select
        rows.*,
        upper({{ mt_regexp_replace_all("coalesce(donor_name, '')", '[^A-Za-z0-9 ]+', ' ') }}) as name_words
    from rows
    -- attributed to partners: a partnership, lawful (the partners' shares count toward their limits)
    left join attributions a on a.row_ref = rows.row_ref
    where a.row_ref is null
),
formed as (
    select
        named.*,
        {%- if ma %}
        ct.note as type_note,
        {%- endif %}
        case
            when {{ mt_regexp_matches('name_words', '\\b(NATION|TRIBE|TRIBAL|BAND OF|RANCHERIA|PUEBLO)\\b') }} then 'Native American tribe (by name)'
            when {{ mt_regexp_matches('name_words', '\\b(LLC|L L C|LLP|LP|PLLC|LLLP|PARTNERSHIP|PARTNERS)\\b') }} then 'partnership or LLC (by name)'
            when {{ mt_regexp_matches('name_words', '\\b(INC|INCORPORATED|CORP|CORPORATION|CO|COMPANY|PC|PA)\\b') }} then 'corporation (by name)'
            when {{ mt_regexp_matches('name_words', '\\b(UNION|LOCAL [0-9]+|AFL CIO|BROTHERHOOD|TEAMSTERS)\\b') }} then 'labor organisation (by name)'
            else 'organisation of unknown form'
        end as organisation_form
    from named
    {%- if ma %}
    left join {{ ref('contributor_types') }} ct
      on ct.rules = 'ma_ocpf' and ct.contributor_type = upper(trim(named.contributor_type))
    {%- endif %}
)
select
    -- a content key, so reordered input keeps the id (row refs carry positions); identical
    -- rows are told apart by their ordinal among themselves
    {{ stable_id('prohibited:v2', ['limit_recipient_id', 'donor_name', 'donation_date', 'amount', 'transaction_type', 'contribution_id',
        'row_number() over (partition by limit_recipient_id, donor_name, donation_date, amount, transaction_type, contribution_id order by row_ref)']) }} as finding_id,
    row_ref,
    contribution_id,
    donor_name,
    contributor_type,
    limit_recipient_id as recipient_id,
    recipient_name,
    recipient_kind,
    conduit_id,
    donation_date,
    amount,
    transaction_type,
    organisation_form,
    {%- if fec %}
    case when organisation_form in ('corporation (by name)', 'labor organisation (by name)') and recipient_kind <> 'unknown' then 'probable' else 'doubtful' end as finding_status,
    case
        when recipient_kind = 'unknown' then 'the recipient is not in the committee master: it may be a super PAC or a non-contribution account, which may accept this money'
        when organisation_form = 'partnership or LLC (by name)' then 'a partnership or an LLC treated as a partnership may give (attributed to its partners); an LLC taxed as a corporation may not'
        when organisation_form = 'organisation of unknown form' then 'the file does not say whether the organisation is a corporation, a labor organisation, a partnership or an LLC'
    end as doubt_reason,
    'corporation or labor organisation treasury money to a ' || recipient_kind || ' (only super PACs and non-contribution accounts may accept it)' as rule,
    {{ mt_literal("FEC Who can and can't contribute") }} as rule_source_title,
    'https://www.fec.gov/help-candidates-and-committees/candidate-taking-receipts/who-can-and-cant-contribute/' as rule_source_url,
    {%- elif ma %}
    case when contributor_kind = 'business' then 'probable' else 'doubtful' end as finding_status,
    -- the doubt in the source's own words: the contributor type's note in seeds/contributor_types.csv
    case when contributor_kind <> 'business' then 'contributor type ' || coalesce(contributor_type, 'NULL') || ': ' || coalesce(type_note, 'not in seeds/contributor_types.csv') || '; a committee, union or association may give, a business may not; ' || organisation_form || ' by its name' end as doubt_reason,
    'business or professional corporation, partnership or LLC contribution to a candidate (prohibited in Massachusetts)' as rule,
    'M.G.L. c. 55 s. 8, Political contributions by corporations' as rule_source_title,
    'https://malegislature.gov/Laws/GeneralLaws/PartI/TitleVIII/Chapter55/Section8' as rule_source_url,
    {%- else %}
    'doubtful' as finding_status,
    'generic rules: whether this source lets an organisation give to a candidate is not encoded' as doubt_reason,
    'organisation contribution to a candidate' as rule,
    'role_map.contributions.organisation_types' as rule_source_title,
    cast(null as {{ mt_text() }}) as rule_source_url,
    {%- endif %}
    'measured' as evidence_kind
from formed
-- tribes may contribute (their own transaction types are excluded above; this catches the ones filed as 15)
where organisation_form <> 'Native American tribe (by name)'
