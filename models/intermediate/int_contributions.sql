-- Every staged contribution, keyed and with its meaning, defined once for every analysis:
--   keys    the normalised employer and its non-answer flag, the normalised donor names, the
--           person key and donor_key (vars.donor_identity): who gave, as the analyses count them
--   limits  who gave (contributor kind), whose limit it counts toward (the ultimate recipient of
--           an earmark, with the conduit named, and the recipient's own row of the same gift),
--           the amount that counts (refunds negative by transaction type, never by sign), the
--           election it is for, and why a row does not count when it does not. With
--           vars.source_rules fec the meaning comes from the FEC seeds; otherwise from
--           vars.contribution_limits.
{%- set fec = source_rules() == 'fec' %}
{%- set cfg = limit_settings() %}
-- Every row is read through here once, streamed: the CTEs that read all rows and are read more
-- than once are inlined (mt_cte_inline), and the amendment and earmark look-ups are computed on the
-- few columns they need, so no step holds every column of every row at once (memory and time
-- then grow linearly with the rows)
with c as {{ mt_cte_inline() }} (
    select * from {{ ref('stg_contributions') }}
),
-- organisation names are normalised once per distinct spelling, not once per row
employer_names as (
    select employer, {{ normalize_org_name('employer') }} as employer_norm
    from (select distinct employer from c where employer is not null)
),
employer_flags as (
    select employer, employer_norm, {{ is_employer_non_answer('employer_norm') }} as employer_is_non_answer
    from employer_names
),
org_donor_names as (
    select donor_name, {{ normalize_org_name('donor_name') }} as donor_org_norm
    from (select distinct donor_name from c where is_organisation)
),
donor_names as (
    select
        donor_name,
        {{ normalize_person_name('donor_name') }} as donor_name_norm,
        {{ person_name_key('donor_name') }} as donor_person_key
    from (select distinct donor_name from c)
),
named as {{ mt_cte_inline() }} (
    -- is_refund is decided below, by transaction type under FEC rules
    select
        {{ mt_star_except(ref('stg_contributions'), ['is_refund'], 'c') }},
        e.employer_norm,
        coalesce(e.employer_is_non_answer, false) as employer_is_non_answer,
        case when c.is_organisation then o.donor_org_norm end as donor_org_norm,
        d.donor_name_norm,
        case when c.is_organisation then o.donor_org_norm else d.donor_person_key end as donor_person_key
    from c
    left join donor_names d on d.donor_name = c.donor_name
    left join employer_flags e on e.employer = c.employer
    -- an equality-only join condition keeps this a hash join (an extra predicate on one side
    -- turns it into a nested loop)
    left join org_donor_names o on o.donor_name = c.donor_name
),
keyed as {{ mt_cte_inline() }} (
    select *, {{ donor_identity_expr() }} as donor_key
    from named
),
{%- if fec %}
typed as {{ mt_cte_inline() }} (
    select
        k.*,
        upper(k.transaction_type) as tt,
        t.semantics as type_semantics,
        t.counts_toward_limit as type_counts,
        coalesce(t.is_refund, false) as is_refund_type,
        t.limit_recipient,
        t.party_account,
        t.memo_rows_count,
        case upper(k.contributor_type)
            when 'IND' then 'individual'
            when 'ORG' then 'organisation'
            when 'CAN' then 'candidate'
            when 'PAC' then 'committee'
            when 'COM' then 'committee'
            when 'CCM' then 'committee'
            when 'PTY' then 'committee'
            else 'unknown'
        end as contributor_kind,
        try_cast(k.file_num as bigint) as file_num_int
    from keyed k
    left join {{ ref('fec_transaction_types') }} t on t.transaction_type = upper(k.transaction_type)
),
latest_amendments as (
    -- an amended report (AMNDT_IND A) restates the transactions of the report it amends with
    -- the same TRAN_ID: only the row from the latest amendment counts. The latest amendment's
    -- FILE_NUM per recipient, report and TRAN_ID, from the amendment rows alone (one row per key)
    select recipient_id, report_type, tran_id, max(try_cast(file_num as bigint)) as latest_amendment_file_num
    from c
    where upper(amendment_indicator) = 'A' and tran_id is not null and try_cast(file_num as bigint) is not null
    group by recipient_id, report_type, tran_id
),
amendments as {{ mt_cte_inline() }} (
    select
        t.*,
        case when t.tran_id is not null and t.file_num_int is not null then a.latest_amendment_file_num end as latest_amendment_file_num
    from typed t
    left join latest_amendments a
      on a.recipient_id is not distinct from t.recipient_id and a.report_type is not distinct from t.report_type
     and a.tran_id = t.tran_id
),
placed as {{ mt_cte_inline() }} (
    select
        *,
        case when limit_recipient = 'other_id' then other_id else recipient_id end as limit_recipient_id,
        case
            when limit_recipient = 'other_id' then recipient_id
            when type_semantics = 'earmark_received' then other_id
        end as conduit_id,
        coalesce(file_num_int < latest_amendment_file_num, false) as is_superseded
    from amendments
),
passed_on as (
    -- a conduit's 24T/24I row and the recipient's own receipt of the same gift are one gift:
    -- matched one to one by donor, recipient and amount, in date order, within 30 days
    select
        row_ref, donor_key, limit_recipient_id, amount, donation_date,
        row_number() over (partition by donor_key, limit_recipient_id, amount order by donation_date, row_ref) as k
    from placed
    where limit_recipient = 'other_id' and not is_superseded and limit_recipient_id is not null
      and not (is_memo and not memo_rows_count)
),
received as (
    select
        row_ref, donor_key, recipient_id, amount, donation_date,
        row_number() over (partition by donor_key, recipient_id, amount order by donation_date, row_ref) as k
    from placed
    -- only the donor, recipient and amount a pass-on row has: whole partitions are kept or left
    -- out, so each kept row's k is the same as over all receipts
    semi join (select distinct donor_key, limit_recipient_id, amount from passed_on) p
      on p.donor_key = placed.donor_key and p.limit_recipient_id = placed.recipient_id and p.amount = placed.amount
    where type_semantics in ('contribution', 'earmark_received') and not is_superseded
      and not (is_memo and not memo_rows_count)
),
earmark_pairs as (
    select p.row_ref, r.row_ref as received_row_ref
    from passed_on p
    join received r
      on r.donor_key = p.donor_key and r.recipient_id = p.limit_recipient_id and r.amount = p.amount and r.k = p.k
    where abs({{ dbt.datediff('r.donation_date', 'p.donation_date', 'day') }}) <= 30
),
elections as (
    select
        placed.*,
        ep.received_row_ref as same_gift_row_ref,
        upper(left(election_code, 1)) as election_letter,
        case when {{ mt_regexp_matches('election_code', '^[A-Za-z][0-9]{4}$') }} then cast(substr(election_code, 2, 4) as integer) end as code_year,
        case when donation_date <= g.general_election_date then g.cycle else g.cycle + 2 end as next_general_year
    from placed
    left join earmark_pairs ep on ep.row_ref = placed.row_ref
    left join {{ ref('fec_general_election_dates') }} g on g.cycle = year(placed.donation_date) + year(placed.donation_date) % 2
),
years as (
    select
        *,
        case
            when type_semantics is null then 'transaction type ' || coalesce(tt, 'NULL') || ' is not in fec_transaction_types'
            when is_memo and not memo_rows_count then 'memo row (MEMO_CD X) of transaction type ' || tt
            when not type_counts then 'transaction type ' || tt || ' (' || type_semantics || ') does not count toward a limit'
            when contributor_kind in ('committee', 'candidate', 'unknown') then 'contributor entity type ' || coalesce(contributor_type, 'NULL') || ' (' || contributor_kind || '): limits for this contributor are not checked'
            when is_superseded then 'superseded by the amendment in FILE_NUM ' || latest_amendment_file_num
            when same_gift_row_ref is not null then {{ mt_literal("the same earmarked gift as the recipient's own row ") }} || same_gift_row_ref
            when limit_recipient_id is null then 'earmark without OTHER_ID: the intended recipient is unknown'
        end as not_counted_reason,
        case when election_letter in ('P', 'G', 'R', 'S', 'C', 'E') then coalesce(code_year, next_general_year) end as election_year,
        case
            when election_letter not in ('P', 'G', 'R', 'S', 'C', 'E') then null
            when code_year is not null then 'election code'
            else 'next general election on or after the contribution date (the code has no year)'
        end as election_year_source
    from elections
),
meaning as (
    select
        *,
        case when is_refund_type then -abs(amount) else amount end as counted_amount,
        coalesce(type_semantics, 'unknown') as semantics,
        is_refund_type as is_refund,
        case election_letter
            when 'P' then 'primary' when 'G' then 'general' when 'R' then 'runoff'
            when 'S' then 'special' when 'C' then 'convention' when 'E' then 'recount'
        end as election_kind,
        case when election_year is not null then election_letter || election_year end as election_label
    from years
)
{%- else %}
{%- set seeded = source_rules() in seeded_rules() %}
kinds as (
    select
        c.*,
        {%- if seeded %}
        -- the source's contributor code, read through seeds/contributor_types.csv
        coalesce(ct.contributor_kind, 'unknown') as contributor_kind
        {%- else %}
        case when c.is_organisation then 'organisation' else 'individual' end as contributor_kind
        {%- endif %}
    from keyed c
    {%- if seeded %}
    left join {{ ref('contributor_types') }} ct
      on ct.rules = {{ mt_literal(source_rules()) }} and ct.contributor_type = upper(trim(c.contributor_type))
    {%- endif %}
),
{%- set calaccess = source_rules() == 'ca_calaccess' %}
{%- if calaccess %}
amendments as (
    -- CAL-ACCESS: an amendment (AMEND_ID 1-999; 0 is the original) restates the whole filing
    -- (FILING_ID, mapped to file_num) and the export keeps every version, so only the rows of the
    -- latest AMEND_ID of each filing count, as CAL-ACCESS shows only the latest version of a filing
    -- and the Civic Data Coalition's processed Schedule A items keep only the latest version.
    -- The latest amendment is the highest AMEND_ID among the filing's RCPT_CD rows in the file.
    select
        *,
        try_cast(amendment_indicator as integer) as amend_id_int,
        case when file_num is not null then
            max(try_cast(amendment_indicator as integer)) over (partition by file_num)
        end as latest_amendment_id
    from kinds
),
{%- endif %}
meaning as (
    select
        *,
        recipient_id as limit_recipient_id,
        cast(null as {{ mt_text() }}) as conduit_id,
        cast(null as {{ mt_text() }}) as same_gift_row_ref,
        amount as counted_amount,
        case when amount < 0 then 'refund' else 'contribution' end as semantics,
        amount < 0 as is_refund,
        cast(null as {{ mt_text() }}) as party_account,
        cast(null as {{ mt_text() }}) as election_kind,
        cast(null as integer) as election_year,
        cast(null as {{ mt_text() }}) as election_year_source,
        election_code as election_label,
        {%- if calaccess %}
        coalesce(amend_id_int < latest_amendment_id, false) as is_superseded,
        {%- else %}
        false as is_superseded,
        {%- endif %}
        case
            {%- if calaccess %}
            when coalesce(amend_id_int < latest_amendment_id, false) then 'superseded by amendment ' || latest_amendment_id || ' of filing ' || file_num
            {%- endif %}
            {%- if cfg.exclude_memo %}
            when is_memo then 'memo row'
            {%- endif %}
            {%- if cfg.refunds == 'exclude' %}
            when amount < 0 then 'refund (vars.contribution_limits.refunds: exclude)'
            {%- endif %}
            {%- if cfg.exclude_transaction_types | length > 0 %}
            when coalesce(transaction_type, '') in ({% for t in cfg.exclude_transaction_types %}{{ sql_string(t) }}{{ ", " if not loop.last }}{% endfor %}) then 'transaction type ' || transaction_type || ' excluded by vars.contribution_limits.exclude_transaction_types'
            {%- endif %}
            {%- if seeded %}
            when contributor_kind in ('none', 'ballot_measure') then 'not a contribution (contributor type ' || coalesce(contributor_type, 'NULL') || ')'
            {%- endif %}
            when false then null
        end as not_counted_reason
    from {{ 'amendments' if calaccess else 'kinds' }}
)
{%- endif %}
select
    row_ref,
    dataset_version_id,
    row_index,
    contribution_id,
    contributor_type,
    contributor_kind,
    is_organisation,
    donor_name,
    donor_name_norm,
    donor_person_key,
    donor_zip,
    donor_zip5,
    donor_id,
    donor_key,
    donor_org_norm,
    employer,
    employer_norm,
    employer_is_non_answer,
    occupation,
    recipient_id,
    recipient_name,
    limit_recipient_id,
    conduit_id,
    same_gift_row_ref,
    donation_date,
    amount,
    counted_amount,
    memo_code,
    is_memo,
    is_refund,
    transaction_type,
    tran_id,
    semantics,
    party_account,
    election_code,
    election_kind,
    election_year,
    election_year_source,
    election_label,
    other_id,
    memo_text,
    amendment_indicator,
    report_type,
    file_num,
    is_superseded,
    not_counted_reason is null as counts_toward_limit,
    not_counted_reason
from meaning
