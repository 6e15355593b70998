-- Spark form of models/intermediate/int_name_matches.py, distributed (python_udfs/matcher_parallel.py):
-- the whole-data steps are SQL (int_match_tokens: words, blocking keys and their frequencies;
-- int_match_pairs: candidate, exact, aggressive and acronym pairs); here each bucket of right
-- names gets its pairs, the frequencies of their words and the reviewed knowledge that can
-- touch them, and mt_match_bucket scores, prunes and applies the knowledge, one Spark task per
-- bucket. Each right name's pairs are all in its bucket, so the links equal the single-process
-- matcher's (tests/python/test_matcher_parallel.py; test_spark_equivalence on the demo).
{%- set settings = mt_literal(tojson(var('entity_resolution', {}))) %}
with

side_tokens as (
    select * from {{ ref('int_match_tokens') }}
),

bucketed_pairs as (
    select * from {{ ref('int_match_pairs') }}
),

n_names as (
    select relation, count(distinct name) as n_names from side_tokens group by relation
),

bucket_pairs as (
    select
        relation,
        bucket,
        collect_list(named_struct('left_name', left_name, 'right_name', right_name, 'kind', kind)) as pairs
    from bucketed_pairs
    group by relation, bucket
),

bucket_names as (
    select relation, bucket, left_name as name from bucketed_pairs
    union
    select relation, bucket, right_name as name from bucketed_pairs
),

bucket_tokens as (
    select relation, bucket, collect_list(named_struct('token', token, 'df', df)) as tokens
    from (
        select distinct b.relation, b.bucket, s.token, s.df
        from bucket_names as b
        inner join side_tokens as s on s.relation = b.relation and s.name = b.name
    ) as bt
    group by relation, bucket
),

knowledge as (
    select * from {{ ref('int_match_knowledge') }}
),

buckets as (
    select relation, bucket from bucket_pairs
    union
    select relation, bucket from knowledge
),

bucket_inputs as (
    select /*+ repartition(32, relation, bucket) */
        b.relation,
        b.bucket,
        n.n_names,
        p.pairs,
        t.tokens,
        k.left_known,
        k.right_known,
        k.decisions,
        k.aliases
    from buckets as b
    left join bucket_pairs as p on p.relation = b.relation and p.bucket = b.bucket
    left join bucket_tokens as t on t.relation = b.relation and t.bucket = b.bucket
    left join knowledge as k on k.relation = b.relation and k.bucket = b.bucket
    left join n_names as n on n.relation = b.relation
)

select step.*
from (
    select inline(mt_match_bucket(
        {{ settings }}, relation, n_names, pairs, tokens, left_known, right_known, decisions, aliases
    ))
    from bucket_inputs
) as step
