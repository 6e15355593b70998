-- prohibited_contributions findings by evidence kind.
{{ report_groups([
    {'dimension': 'evidence_kind', 'relation': ref('prohibited_contributions'), 'expr': 'evidence_kind'},
]) }}
