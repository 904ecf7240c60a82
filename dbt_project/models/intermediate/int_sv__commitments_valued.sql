-- Each commitment valued at the framework edition in force when its contract was awarded:
-- committed GBP = quantity x proxy value; record-only measures count but add no GBP. Where the
-- portal gave its own GBP figure, both are kept and a difference above the rule's tolerance flagged.
-- Money is rounded once, here: each commitment is valued in exact decimal arithmetic and stated to
-- the penny (504443.47 x 0.25 = 126110.8675 -> 126110.87), so every total downstream (by contract,
-- theme, partner, group, in kpi_sv_secured, kpi_sv_delivery_summary and kpi_sv_by_theme alike) is an
-- exact sum of the same pennies and the tables agree to the penny
-- (tests/assert_sv_totals_agree_to_the_penny.sql). Summing unrounded doubles instead gave totals a
-- penny apart depending on how the rows were grouped.
with rule as (select * from {{ ref('stg_reference__social_value_rule') }})

select
    c.partner_code,
    c.contract_ref,
    k.contract_id,
    k.award_date,
    k.financial_year,
    c.measure_code,
    f.framework,
    f.edition as framework_edition,
    f.is_illustrative as framework_is_illustrative,
    f.theme,
    f.outcome,
    f.unit,
    f.proxy_value_gbp,
    coalesce(f.is_record_only, false) as is_record_only,
    c.committed_quantity,
    {{ value_to_the_penny('c.committed_quantity', 'f.proxy_value_gbp') }} as committed_gbp,
    c.portal_committed_gbp,
    c.portal_committed_gbp is not null and f.proxy_value_gbp is not null
    and abs(c.portal_committed_gbp - c.committed_quantity * f.proxy_value_gbp)
    > rule.portal_disagreement_pct / 100 * greatest(abs(c.portal_committed_gbp), 0.01)
        as portal_disagrees,
    k.contract_id is not null as contract_found,
    f.measure_code is not null as measure_found,
    rule.rule_version
from {{ ref('stg_raw__sv_commitments') }} as c
cross join rule
left join {{ ref('int_contract__by_ref') }} as k
    on c.partner_code = k.partner_code and c.contract_ref = k.contract_ref
left join {{ ref('stg_reference__framework_measures') }} as f
    on c.measure_code = f.measure_code and k.award_date between f.valid_from and f.valid_to
