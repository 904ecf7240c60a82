{{ config(meta={'dagster': {'ref': {'name': 'kpi_local_spend'}}}) }}
-- Each partner-year's in-scope spend from resolved suppliers lies within
-- identity_checks.max_in_scope_gap_pct (config/rules.yml) of the same rule on a plain name key.
-- A gap of unknown size (name-key in-scope spend of zero but resolved spend above it) fails too.
select
    partner_code,
    financial_year,
    resolved_in_scope_spend_gbp,
    name_key_in_scope_spend_gbp,
    in_scope_gap_pct
from {{ ref('int_spend__in_scope_by_name_key') }}
where
    in_scope_gap_pct is null
    or abs(in_scope_gap_pct) > (select max_in_scope_gap_pct from {{ ref('stg_reference__identity_check_rule') }})
