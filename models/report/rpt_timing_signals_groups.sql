-- Timing pairs by evidence kind and by status.
{{ report_groups([
    {'dimension': 'evidence_kind', 'relation': ref('timing_signals'), 'expr': 'evidence_kind'},
    {'dimension': 'by_status', 'relation': ref('timing_signals'), 'expr': 'status'},
]) }}
