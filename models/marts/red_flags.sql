-- Red flags: the vendor-recipient pairs of red_flag_pairs with at least
-- vars.red_flags.min_independent_rules pieces of independent evidence about the pair (bundled
-- donations, limit excess, timing cluster; rules resting on overlapping rows count once).
-- Vendor-level facts (non-competitive awards, breadth) ride along as context and never flag a
-- pair on their own.
select {{ mt_star_except(ref('red_flag_pairs'), ['is_flagged'], 'p') }}
from {{ ref('red_flag_pairs') }} p
where p.is_flagged
