{{ config(meta={'dagster': {'ref': {'name': 'fct_spend'}}}) }}
-- Redacted individuals count in totals but never appear by name in a mart.
select payment_id from {{ ref('fct_spend') }}
where is_redacted and supplier_name is not null
union all
select supplier_id from {{ ref('dim_supplier') }}
where is_redacted_pool and supplier_name is not null
