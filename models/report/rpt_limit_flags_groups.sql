-- limit_flags findings by evidence kind.
{{ report_groups([
    {'dimension': 'evidence_kind', 'relation': ref('limit_flags'), 'expr': 'evidence_kind'},
]) }}
