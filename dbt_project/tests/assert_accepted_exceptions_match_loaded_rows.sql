{{ config(meta={'dagster': {'ref': {'name': 'dq_accepted_exceptions'}}}) }}
-- Every spend row loaded under an accepted exception is listed as applied, with the same row and
-- amount, and every applied exception is one loaded row: nothing passes a check unlisted.
with marked as (
    select
        load_id,
        source_row_number,
        amount_pence,
        trim(exception_id) as exception_id
    from (
        select
            load_id,
            source_row_number,
            amount_pence,
            unnest(string_split(accepted_exception, ',')) as exception_id
        from {{ ref('stg_raw__spend') }}
        where accepted_exception is not null
    )
),

applied as (
    select
        load_id,
        source_row_number,
        amount_pence,
        exception_id
    from {{ ref('stg_raw__load_exceptions') }}
    where status = 'applied' and feed = 'spend'
)

select
    coalesce(m.load_id, a.load_id) as load_id,
    coalesce(m.exception_id, a.exception_id) as exception_id,
    m.source_row_number as loaded_row,
    a.source_row_number as listed_row,
    m.amount_pence as loaded_pence,
    a.amount_pence as listed_pence
from marked as m
full outer join applied as a
    on m.load_id = a.load_id and m.exception_id = a.exception_id
where
    m.load_id is null
    or a.load_id is null
    or m.source_row_number <> a.source_row_number
    or m.amount_pence <> a.amount_pence
