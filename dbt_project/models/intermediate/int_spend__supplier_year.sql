-- Net spend per partner x supplier x financial year, credits netted off, with the in-scope flag
-- of the local-spend rule in force (threshold on partner-supplier-year net spend). In a partial
-- year the threshold is applied as local_spend.part_year_threshold says: unchanged (full) or scaled
-- to the partner's months covered (pro_rata).
with rule as (
    select * from {{ ref('stg_reference__local_spend_rule') }}
),

months as (
    select
        reporting_unit as partner_code,
        financial_year,
        months_covered
    from {{ ref('int_spend__months_covered') }}
    where reporting_unit_type = 'partner'
),

spend as (
    select
        s.*,
        case
            when rule.part_year_threshold = 'pro_rata'
                then round(rule.threshold_gbp * m.months_covered / 12, 2)
            else rule.threshold_gbp
        end as applied_threshold_gbp,
        rule.rule_version
    from {{ ref('int_spend__linked_to_supplier') }} as s
    cross join rule
    left join months as m on s.partner_code = m.partner_code and s.financial_year = m.financial_year
)

select
    partner_code,
    financial_year,
    supplier_key,
    sum(amount_gbp) as net_spend_gbp,
    count(*) as payment_count,
    count(*) filter (where amount_gbp < 0) as credit_count,
    sum(amount_gbp) >= max(applied_threshold_gbp) as is_in_scope,
    max(rule_version) as rule_version,
    max(applied_threshold_gbp) as applied_threshold_gbp
from spend
group by 1, 2, 3
