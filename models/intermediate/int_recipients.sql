-- One row per recipient: every committee of the committees role (FEC committee master) and
-- every id a contribution names as its recipient or earmark target, with its kind. FEC kinds
-- come from the code-table seeds (committee type and designation, national party and conduit
-- ids); without a committees role, the candidates role is the directory (kind candidate) and
-- any other recipient is 'unknown'. kind_source says which rule gave the kind.
{%- set fec = source_rules() == 'fec' %}
with committees as (
    select * from {{ ref('stg_committees') }}
),
candidates as (
    -- one name per candidate id (the candidate master has one row per candidate)
    select candidate_id, min(candidate_name) as candidate_name
    from {{ ref('stg_candidates') }}
    group by candidate_id
),
-- read in the branch without a committees role (sqlfluff lints the other branch)
candidate_committees as (  -- noqa: ST03
    -- generic directory: the committee each candidate row names
    select committee_id, min(candidate_id) as candidate_id, min(candidate_name) as candidate_name, min(office) as office
    from {{ ref('stg_candidates') }}
    where committee_id is not null
    group by committee_id
),
links as (
    select committee_id, min(candidate_id) as candidate_id, count(distinct candidate_id) as n_candidates
    from {{ ref('stg_candidate_links') }}
    group by committee_id
),
contribution_ids as (
    select recipient_id from {{ ref('stg_contributions') }}
    union
    -- earmark targets: the intended recipient of a conduit's 24T/24I row
    select c.other_id
    from {{ ref('stg_contributions') }} c
    join {{ ref('fec_transaction_types') }} t
      on t.transaction_type = upper(c.transaction_type) and t.limit_recipient = 'other_id'
    where c.other_id is not null and {{ 'true' if fec else 'false' }}
),
directory as (
    {%- if role_is_configured('committees') %}
    select
        cm.committee_id as recipient_id,
        cm.committee_name as recipient_name,
        cm.committee_type,
        cm.committee_designation,
        cm.organisation_type,
        cm.connected_org_name,
        cm.party,
        coalesce(cm.candidate_id, l.candidate_id) as candidate_id,
        case
            when cm.candidate_id is not null then 'committee master'
            when l.candidate_id is not null and l.n_candidates = 1 then 'candidate-committee linkage'
            when l.candidate_id is not null then 'candidate-committee linkage (first of ' || l.n_candidates || ' candidates)'
        end as candidate_link_source,
        cm.row_ref as directory_row_ref,
        cast(null as {{ mt_text() }}) as office
    from (
        select *, row_number() over (partition by committee_id order by row_index) as n
        from committees
    ) cm
    left join links l on l.committee_id = cm.committee_id
    where cm.n = 1
    {%- else %}
    select
        committee_id as recipient_id,
        candidate_name as recipient_name,
        cast(null as {{ mt_text() }}) as committee_type,
        cast(null as {{ mt_text() }}) as committee_designation,
        cast(null as {{ mt_text() }}) as organisation_type,
        cast(null as {{ mt_text() }}) as connected_org_name,
        cast(null as {{ mt_text() }}) as party,
        candidate_id,
        'candidates role' as candidate_link_source,
        cast(null as {{ mt_text() }}) as directory_row_ref,
        office
    from candidate_committees
    {%- endif %}
),
all_ids as (
    select recipient_id from directory
    union
    select recipient_id from contribution_ids where recipient_id is not null
),
joined as (
    select
        a.recipient_id,
        d.recipient_id is not null as in_directory,
        d.recipient_name,
        d.committee_type,
        d.committee_designation,
        d.organisation_type,
        d.connected_org_name,
        d.party,
        d.candidate_id,
        d.candidate_link_source,
        d.directory_row_ref,
        d.office,
        {%- if source_rules() == 'ma_ocpf' %}
        -- Massachusetts: the filer list's Account Type Code (seeds/ma_ocpf_account_types.csv)
        ma.recipient_kind as type_kind,
        {%- else %}
        t.recipient_kind as type_kind,
        {%- endif %}
        t.is_unlimited as type_unlimited,
        np.committee_id is not null as is_national_party,
        cd.committee_id is not null as is_conduit
    from all_ids a
    left join directory d on d.recipient_id = a.recipient_id
    left join {{ ref('fec_committee_types') }} t on t.committee_type = d.committee_type
    left join {{ ref('fec_national_party_committees') }} np on np.committee_id = a.recipient_id
    {%- if source_rules() == 'ma_ocpf' %}
    left join {{ ref('ma_ocpf_account_types') }} ma on ma.account_type_code = d.committee_type
    {%- endif %}
    left join {{ ref('fec_conduits') }} cd on cd.committee_id = a.recipient_id
),
kinds as (
    select
        *,
        {%- if fec and role_is_configured('committees') %}
        case
            when not in_directory then 'unknown'
            when is_conduit then 'conduit'
            when is_national_party then 'party_national'
            when committee_designation = 'J' then 'joint_fundraising'
            when type_kind = 'candidate' then 'candidate'
            when type_kind = 'pac' and committee_designation = 'D' then 'leadership_pac'
            when type_kind = 'pac' and organisation_type is not null then 'pac_connected'
            when type_kind = 'pac' then 'pac_nonconnected'
            when type_kind = 'party' then 'party_state_local'
            when type_kind is not null then type_kind
            else 'unknown'
        end as recipient_kind,
        case
            when not in_directory then 'not in the committee master'
            when is_conduit then 'fec_conduits seed'
            when is_national_party then 'fec_national_party_committees seed'
            when committee_designation = 'J' then 'committee master CMTE_DSGN=J'
            when type_kind is null then 'committee master CMTE_TP=' || coalesce(committee_type, 'NULL') || ' (not in fec_committee_types)'
            else 'committee master CMTE_TP=' || committee_type || ', CMTE_DSGN=' || coalesce(committee_designation, 'NULL')
                 || case when type_kind = 'pac' and committee_designation <> 'D' then ', ORG_TP=' || coalesce(organisation_type, 'NULL') else '' end
        end as kind_source
        {%- elif source_rules() == 'ma_ocpf' and role_is_configured('committees') %}
        case when in_directory and type_kind is not null then type_kind else 'unknown' end as recipient_kind,
        case
            when not in_directory then 'not in the committees role'
            when type_kind is null then 'Account Type Code ' || coalesce(committee_type, 'NULL') || ' is not in ma_ocpf_account_types'
            else 'Account Type Code ' || committee_type || ' (ma_ocpf_account_types)'
        end as kind_source
        {%- else %}
        case when in_directory and {{ 'false' if role_is_configured('committees') else 'true' }} then 'candidate' else 'unknown' end as recipient_kind,
        case when in_directory then '{{ "committees role without FEC rules" if role_is_configured("committees") else "candidates role" }}' else 'not in the {{ "committees" if role_is_configured("committees") else "candidates" }} role' end as kind_source
        {%- endif %}
    from joined
)
select
    k.recipient_id,
    k.recipient_name,
    k.recipient_kind,
    k.committee_type,
    k.committee_designation,
    k.organisation_type,
    k.connected_org_name,
    -- the PAC's sponsor, normalised like every organisation name, for the own-employer-PAC rule
    -- (macros/bundle_config.sql): the connected organisation, and the one the PAC's name carries
    {{ normalize_org_name('k.connected_org_name') }} as connected_org_norm,
    {{ pac_name_sponsor('k.recipient_name') }} as pac_name_sponsor_norm,
    k.party,
    k.candidate_id,
    c.candidate_name,
    k.candidate_link_source,
    coalesce(k.recipient_kind = 'super_pac' or (k.recipient_kind = 'other' and k.type_unlimited), false) as is_unlimited,
    k.kind_source,
    k.directory_row_ref,
    k.office
from kinds k
left join candidates c on c.candidate_id = k.candidate_id
