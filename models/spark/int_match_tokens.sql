-- Spark only (python_udfs/matcher_parallel.py, step 1-2): every name of each relation as the
-- matcher takes it (cleaned: no blanks, no employer non-answers), with its words and blocking
-- keys and their document frequency over all names of the relation. A table of its own, so
-- the session functions run once per name and word and the plans that read it stay small.
{%- set settings = mt_literal(tojson(var('entity_resolution', {}))) %}
with

{{ mt_match_side_names() }}
cleaned as (
    select relation, is_left, mt_match_clean({{ settings }}, raw_name) as name
    from side_names
),

names as (
    select relation, name, bool_or(is_left) as is_left, bool_or(not is_left) as is_right
    from cleaned
    where name is not null
    group by relation, name
),

words as (
    select distinct n.relation, n.name, w.word
    from names as n
    lateral view explode(split(n.name, ' ')) w as word
),

word_facts as (
    select d.word, mt_match_word({{ settings }}, d.word) as f
    from (select distinct word from words) as d
),

name_has_distinct as (
    select w.relation, w.name, bool_or(f.f.kind = 3) as has_distinct
    from words as w
    inner join word_facts as f on f.word = w.word
    group by w.relation, w.name
),

-- every word of a name, its prefix keys (~), and the generic words of names without a
-- distinctive word (#): the corpus of python_udfs/matcher_corpus.py
tokens as (
    select w.relation, w.name, w.word as token, f.f.kind
    from words as w
    inner join word_facts as f on f.word = w.word
    union
    select w.relation, w.name, f.f.prefix as token, 4 as kind
    from words as w
    inner join word_facts as f on f.word = w.word
    where f.f.prefix is not null
    union
    select w.relation, w.name, concat('#', w.word) as token, 4 as kind
    from words as w
    inner join word_facts as f on f.word = w.word
    inner join name_has_distinct as h on h.relation = w.relation and h.name = w.name
    where f.f.kind = 2 and not h.has_distinct
),

token_df as (
    select relation, token, count(*) as df from tokens group by relation, token
),

side_tokens as (
    select t.relation, t.name, t.token, t.kind, d.df, n.is_left, n.is_right
    from tokens as t
    inner join token_df as d on d.relation = t.relation and d.token = t.token
    inner join names as n on n.relation = t.relation and n.name = t.name
)

select relation, name, is_left, is_right, token, kind, df from side_tokens
