-- Spark only (python_udfs/matcher_parallel.py, step 2): the name pairs the matcher scores, with
-- their kind (0 exact, 1 aggressive, 2 candidate of a blocking key, 3 acronym) and the bucket
-- of right names that scores them (models/spark/int_name_matches.sql). The blocking limits
-- (block_max_df, block_max_pairs) and the acronym rule's word count are the matcher's own.
{%- set settings = mt_literal(tojson(var('entity_resolution', {}))) %}
with

limits as (
    select lim.block_max_df, lim.block_max_pairs, lim.acronym_max_word_df
    from (select mt_match_limits({{ settings }}) as lim) as m
),

side_tokens as (
    select * from {{ ref('int_match_tokens') }}
),

names as (
    select distinct relation, name, is_left, is_right from side_tokens
),

token_df as (
    select distinct relation, token, df from side_tokens
),

blocking as (
    select s.relation, s.token
    from side_tokens as s
    cross join limits as l
    where s.kind in (3, 4) and s.df <= l.block_max_df
    group by s.relation, s.token, l.block_max_pairs
    having
        count_if(s.is_left) > 0 and count_if(s.is_right) > 0
        and count_if(s.is_left) * count_if(s.is_right) <= l.block_max_pairs
),

block_names as (
    select s.relation, s.token, s.name, s.is_left, s.is_right
    from side_tokens as s
    inner join blocking as b on b.relation = s.relation and b.token = s.token
),

candidates as (
    select distinct l.relation, l.name as left_name, r.name as right_name
    from block_names as l
    inner join block_names as r on r.relation = l.relation and r.token = l.token
    where l.is_left and r.is_right and l.name <> r.name
),

keyed as (
    select
        relation,
        name,
        is_left,
        is_right,
        array_join(array_sort(array_distinct(split(name, ' '))), ' ') as word_set,
        replace(name, ' ', '') as glued
    from names
),

exact_pairs as (
    select relation, name as left_name, name as right_name from names where is_left and is_right
),

aggressive_pairs as (
    select l.relation, l.name as left_name, r.name as right_name
    from keyed as l
    inner join keyed as r on r.relation = l.relation and r.word_set = l.word_set
    where l.is_left and r.is_right and l.name <> r.name
    union
    select l.relation, l.name as left_name, r.name as right_name
    from keyed as l
    inner join keyed as r on r.relation = l.relation and r.glued = l.glued
    where l.is_left and r.is_right and l.name <> r.name
),

acronym_names as (
    select relation, name, is_left, is_right, mt_match_acronym({{ settings }}, name) as af
    from names
),

-- initials spelled by exactly one name of the relation
expansions as (
    select
        relation,
        af.initials,
        min(name) as full_name,
        bool_or(is_left) as is_left,
        bool_or(is_right) as is_right
    from acronym_names
    where af.initials is not null
    group by relation, af.initials
    having count(*) = 1
),

shorts as (
    select a.relation, a.name, a.is_left, a.is_right
    from acronym_names as a
    inner join token_df as d on d.relation = a.relation and d.token = a.name
    cross join limits as l
    where a.af.is_short and d.df <= l.acronym_max_word_df
),

acronym_pairs as (
    select s.relation, s.name as left_name, e.full_name as right_name
    from shorts as s
    inner join expansions as e on e.relation = s.relation and e.initials = s.name
    where s.is_left and e.is_right
    union
    select s.relation, e.full_name as left_name, s.name as right_name
    from shorts as s
    inner join expansions as e on e.relation = s.relation and e.initials = s.name
    where s.is_right and e.is_left
),

pairs as (
    select relation, left_name, right_name, 0 as kind from exact_pairs
    union all
    select relation, left_name, right_name, 1 as kind from aggressive_pairs
    union all
    select relation, left_name, right_name, 2 as kind
    from (
        select relation, left_name, right_name from candidates
        except
        select relation, left_name, right_name from exact_pairs
        except
        select relation, left_name, right_name from aggressive_pairs
    ) as fresh
    union all
    select relation, left_name, right_name, 3 as kind from acronym_pairs
)

select relation, left_name, right_name, kind, {{ mt_match_bucket_of('relation', 'right_name') }} as bucket
from pairs
