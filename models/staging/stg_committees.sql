-- Accepted committees (the recipients directory of sources that publish one, e.g. the FEC
-- committee master), codes trimmed and upper-cased. Empty when the run has no committees role.
{{ accepted_rows('committees', [
    'committee_id',
    'committee_name',
    'upper(committee_type) as committee_type',
    'upper(committee_designation) as committee_designation',
    'upper(organisation_type) as organisation_type',
    'connected_org_name',
    'candidate_id',
    'party',
    'state',
    'upper(filing_frequency) as filing_frequency',
]) }}
