{{ config(meta={'dagster': {'ref': {'name': 'kpi_local_spend'}}}) }}
select
    reporting_unit,
    financial_year,
    count(*) as n
from {{ ref('kpi_local_spend') }}
group by 1, 2
having count(*) > 1
