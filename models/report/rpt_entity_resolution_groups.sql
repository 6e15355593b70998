-- Reviewed entity-resolution decisions (er_decisions_applied) by effect.
{{ report_groups([
    {'dimension': 'by_effect', 'relation': ref('er_decisions_applied'), 'expr': 'effect'},
]) }}
