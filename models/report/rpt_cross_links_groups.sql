-- The link graph's edges (every tier) by relation, match type and confidence tier.
{{ report_groups([
    {'dimension': 'by_relation', 'relation': ref('cross_links'), 'expr': 'relation'},
    {'dimension': 'by_match_type', 'relation': ref('cross_links'), 'expr': 'match_type'},
    {'dimension': 'by_confidence_tier', 'relation': ref('cross_links'), 'expr': 'confidence_tier'},
]) }}
