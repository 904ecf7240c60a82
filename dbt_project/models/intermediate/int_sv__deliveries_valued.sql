-- Delivered quantities valued two ways: at the edition in force at award (comparable with the
-- commitment) and at the edition in force on the return's period end ("current" edition).
-- Only returns whose evidence status the rule accepts count as delivered. Each return is valued to
-- the penny once, here, as commitments are (int_sv__commitments_valued), so totals agree across marts.
with rule as (select * from {{ ref('stg_reference__social_value_rule') }})

select
    d.partner_code,
    d.contract_ref,
    k.contract_id,
    k.financial_year,
    d.measure_code,
    d.period_end,
    d.evidence_status,
    list_contains(rule.delivered_evidence_status, d.evidence_status) as counts_as_delivered,
    d.delivered_quantity,
    award_edition.theme,
    award_edition.outcome,
    {{ value_to_the_penny('d.delivered_quantity', 'award_edition.proxy_value_gbp') }} as delivered_gbp_award_edition,
    {{ value_to_the_penny('d.delivered_quantity', 'current_edition.proxy_value_gbp') }}
        as delivered_gbp_current_edition,
    d.portal_delivered_gbp
from {{ ref('stg_raw__sv_deliveries') }} as d
cross join rule
left join {{ ref('int_contract__by_ref') }} as k
    on d.partner_code = k.partner_code and d.contract_ref = k.contract_ref
left join {{ ref('stg_reference__framework_measures') }} as award_edition
    on d.measure_code = award_edition.measure_code and k.award_date between award_edition.valid_from and award_edition.valid_to
left join {{ ref('stg_reference__framework_measures') }} as current_edition
    on d.measure_code = current_edition.measure_code and d.period_end between current_edition.valid_from and current_edition.valid_to
