{{ config(meta={'dagster': {'ref': {'name': 'kpi_local_spend'}}}) }}
-- home and GM spend cannot exceed in-scope spend; known + unknown cannot exceed it either;
-- shares lie in 0-100.
select *
from {{ ref('kpi_local_spend') }}
where
    home_spend_gbp > in_scope_spend_gbp
    or gm_spend_gbp + unknown_location_spend_gbp > in_scope_spend_gbp
    or unknown_location_spend_gbp < 0
    or home_share_pct not between 0 and 100
    or gm_share_pct not between 0 and 100
