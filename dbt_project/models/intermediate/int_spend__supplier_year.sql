-- Net spend per partner x supplier x financial year, credits netted off, with the in-scope flag
-- of the local-spend rule in force (threshold on partner-supplier-year net spend).
with rule as (
    select * from {{ ref('stg_reference__local_spend_rule') }}
)

select
    s.partner_code,
    s.financial_year,
    s.supplier_key,
    sum(s.amount_gbp) as net_spend_gbp,
    count(*) as payment_count,
    count(*) filter (where s.amount_gbp < 0) as credit_count,
    sum(s.amount_gbp) >= max(rule.threshold_gbp) as is_in_scope,
    max(rule.rule_version) as rule_version
from {{ ref('int_spend__linked_to_supplier') }} as s
cross join rule
group by 1, 2, 3
