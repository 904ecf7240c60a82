{{ config(meta={'dagster': {'ref': {'name': 'dq_quarantine_summary'}}}) }}
-- The published quarantine summary holds every quarantined row of every current load, no more.
with summary as (
    select
        partner_code,
        feed,
        source_file,
        sum(rows_quarantined) as n
    from {{ ref('dq_quarantine_summary') }}
    group by 1, 2, 3
)

select *
from {{ ref('stg_raw__loads') }} as l
full outer join summary as s using (partner_code, feed, source_file)
where coalesce(l.rows_quarantined, 0) <> coalesce(s.n, 0)
