-- vendor_breadth findings by evidence kind.
{{ report_groups([
    {'dimension': 'evidence_kind', 'relation': ref('vendor_breadth'), 'expr': 'evidence_kind'},
]) }}
