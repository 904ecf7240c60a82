{{ config(meta={'dagster': {'ref': {'name': 'fct_spend'}}}) }}
-- Every loaded row reached fct_spend, no more and no fewer, with the same total in pence,
-- partition by partition, as each load manifest recorded.
with loads as (
    select
        partner_code,
        period,
        rows_loaded,
        loaded_amount_pence
    from {{ ref('stg_raw__loads') }}
    where feed = 'spend'
),

fct as (
    select
        partner_code,
        period,
        count(*) as n,
        sum(amount_gbp) * 100 as pence
    from {{ ref('fct_spend') }}
    group by 1, 2
)

select *
from loads
full outer join fct using (partner_code, period)
where
    coalesce(loads.rows_loaded, 0) <> coalesce(fct.n, 0)
    or coalesce(loads.loaded_amount_pence, 0) <> coalesce(fct.pence, 0)
