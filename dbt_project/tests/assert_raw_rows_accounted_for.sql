{{ config(meta={'dagster': {'ref': {'name': 'stg_raw__loads'}}}) }}
-- rows in = rows loaded + rows quarantined, for every current partition, checked against the
-- Parquet actually on disk (not only the manifest's own arithmetic).
with q as (
    select
        partner_code,
        feed,
        period,
        count(*) as n
    from {{ ref('stg_raw__quarantine') }}
    group by 1, 2, 3
)

select l.*
from {{ ref('stg_raw__loads') }} as l
left join q using (partner_code, feed, period)
where
    l.rows_in <> l.rows_loaded + coalesce(q.n, 0)
    or l.rows_quarantined <> coalesce(q.n, 0)
