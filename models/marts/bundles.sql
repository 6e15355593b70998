-- Bundled donations in the journalistic sense: gifts an intermediary could have collected for a
-- candidate - at least vars.bundles.min_donors distinct donors with the same normalised
-- employer, giving on the same day to a recipient whose kind is in vars.bundles.recipient_kinds
-- (candidate committees by default). Employees' payroll giving to their own employer's PAC is
-- never a bundle (it is in payroll_giving). bundle_groups holds every same-employer same-day
-- group with the reason it is or is not a bundle. Earmarked gifts count at the intended
-- recipient, with the conduit (ActBlue, WinRed, ...) named in conduit_ids/conduit_names.
select
    bundle_id,
    recipient_id,
    recipient_name,
    recipient_kind,
    kind_source,
    candidate_id,
    candidate_name,
    donation_date,
    employer_norm,
    employer_spellings,
    n_donors,
    n_contributions,
    total_amount,
    conduit_ids,
    conduit_names,
    row_refs,
    sample_row_refs,
    linked_vendor_entity_id,
    linked_vendor_name_norm,
    linked_via_link_id,
    link_confidence_tier,
    evidence_kind
from {{ ref('bundle_groups') }}
where is_bundle
