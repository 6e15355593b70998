-- Bundles by evidence kind; same-day groups (bundle_groups) by status.
{{ report_groups([
    {'dimension': 'evidence_kind', 'relation': ref('bundles'), 'expr': 'evidence_kind'},
    {'dimension': 'same_day_groups_by_status', 'relation': ref('bundle_groups'), 'expr': 'group_status'},
]) }}
