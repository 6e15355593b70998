-- payroll_giving findings by evidence kind.
{{ report_groups([
    {'dimension': 'evidence_kind', 'relation': ref('payroll_giving'), 'expr': 'evidence_kind'},
]) }}
