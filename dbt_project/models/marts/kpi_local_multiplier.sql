-- LM3-style local multiplier per reporting unit and financial year (issue 17; New Economics
-- Foundation's LM3, docs/payment-performance-svmi-lm3.md), measured on the suppliers who sent a
-- tier-2 supply-chain return for the year:
--   round 1  the unit's in-scope spend with those suppliers
--   round 2  what they spent with local sub-contractors (their returns) and on local staff (the
--            re-spend survey's pay to staff living locally)
--   round 3  how much of round 2 was re-spent locally: local staff pay x staff local re-spend %, and
--            local sub-contract spend x the sub-contractors' local re-spend %, from the survey;
--            nothing where no survey came back (local_multiplier.missing_survey = zero: a floor)
--   LM3 = (R1 + R2 + R3) / R1; coverage = R1 / all in-scope spend. Provisional below the rule's
--   min_return_coverage_pct. Local = the unit's home boroughs (as for home % of local spend).
with rule as (
    select * from {{ ref('stg_reference__local_multiplier_rule') }}
),

contracts as (
    select
        partner_code,
        contract_ref,
        max(supplier_id) as supplier_id
    from {{ ref('fct_contract') }}
    group by 1, 2
),

lines as (
    select
        m.reporting_unit,
        m.reporting_unit_type,
        s.partner_code,
        s.contract_ref,
        s.financial_year,
        s.amount_gbp,
        h.lad_code is not null as is_local
    from {{ ref('stg_raw__supply_chain') }} as s
    inner join {{ ref('stg_reference__reporting_unit_members') }} as m on s.partner_code = m.partner_code
    left join {{ ref('stg_resolution__party_records') }} as p
        on p.feed = 'supply_chain' and s.partner_code = p.partner_code and s.subcontractor_name = p.supplier_name
    left join {{ ref('stg_resolution__supplier_links') }} as l on p.record_key = l.record_key
    left join {{ ref('dim_supplier') }} as d on l.supplier_id = d.supplier_id
    left join {{ ref('stg_reference__reporting_unit_home_lads') }} as h
        on m.reporting_unit = h.reporting_unit and d.lad_code = h.lad_code
),

contract_year as (
    select
        reporting_unit,
        reporting_unit_type,
        partner_code,
        contract_ref,
        financial_year,
        sum(amount_gbp) as tier2_gbp,
        coalesce(sum(amount_gbp) filter (where is_local), 0) as local_tier2_gbp
    from lines
    group by 1, 2, 3, 4, 5
),

with_survey as (
    select
        c.*,
        v.contract_ref is not null as has_survey,
        coalesce(v.local_staff_pay_gbp, 0) as local_staff_gbp,
        coalesce(v.local_staff_pay_gbp * v.staff_local_respend_pct / 100, 0)
        + coalesce(c.local_tier2_gbp * v.supplier_local_respend_pct / 100, 0) as round3_gbp
    from contract_year as c
    left join {{ ref('stg_raw__lm3_survey') }} as v
        on c.partner_code = v.partner_code and c.contract_ref = v.contract_ref and c.financial_year = v.financial_year
),

covered_suppliers as (
    select distinct
        w.reporting_unit,
        w.partner_code,
        w.financial_year,
        k.supplier_id
    from with_survey as w
    inner join contracts as k on w.partner_code = k.partner_code and w.contract_ref = k.contract_ref
    where k.supplier_id is not null
),

in_scope as (
    select
        m.reporting_unit,
        sy.financial_year,
        sum(sy.net_spend_gbp) as in_scope_spend_gbp,
        coalesce(sum(sy.net_spend_gbp) filter (where c.supplier_id is not null), 0) as round1_gbp
    from {{ ref('int_spend__supplier_year') }} as sy
    inner join {{ ref('stg_reference__reporting_unit_members') }} as m on sy.partner_code = m.partner_code
    left join covered_suppliers as c
        on
            m.reporting_unit = c.reporting_unit
            and sy.partner_code = c.partner_code
            and sy.financial_year = c.financial_year
            and sy.supplier_key = c.supplier_id
    where sy.is_in_scope
    group by 1, 2
),

rounds as (
    select
        reporting_unit,
        reporting_unit_type,
        financial_year,
        count(*) as contracts_with_returns,
        count(*) filter (where has_survey) as contracts_with_survey,
        sum(tier2_gbp) as tier2_spend_gbp,
        sum(local_tier2_gbp) as round2_supply_chain_gbp,
        sum(local_staff_gbp) as round2_staff_gbp,
        sum(round3_gbp) as round3_gbp
    from with_survey
    group by 1, 2, 3
),

measured as (
    select
        r.*,
        s.in_scope_spend_gbp,
        s.round1_gbp,
        r.round2_supply_chain_gbp + r.round2_staff_gbp as round2_gbp,
        round(100 * s.round1_gbp / nullif(s.in_scope_spend_gbp, 0), 2) as coverage_pct
    from rounds as r
    inner join in_scope as s on r.reporting_unit = s.reporting_unit and r.financial_year = s.financial_year
)

select
    m.reporting_unit,
    m.reporting_unit_type,
    m.financial_year,
    cast(m.in_scope_spend_gbp as decimal(18, 2)) as in_scope_spend_gbp,
    cast(m.round1_gbp as decimal(18, 2)) as round1_gbp,
    cast(m.round2_supply_chain_gbp as decimal(18, 2)) as round2_supply_chain_gbp,
    cast(m.round2_staff_gbp as decimal(18, 2)) as round2_staff_gbp,
    cast(m.round2_gbp as decimal(18, 2)) as round2_gbp,
    cast(m.round3_gbp as decimal(18, 2)) as round3_gbp,
    cast(round((m.round1_gbp + m.round2_gbp + m.round3_gbp) / nullif(m.round1_gbp, 0), 3) as decimal(8, 3)) as lm3,
    cast(m.coverage_pct as decimal(5, 2)) as coverage_pct,
    cast(m.contracts_with_returns as bigint) as contracts_with_returns,
    cast(m.contracts_with_survey as bigint) as contracts_with_survey,
    cast(m.tier2_spend_gbp as decimal(18, 2)) as tier2_spend_gbp,
    coalesce(m.coverage_pct, 0) < rule.min_return_coverage_pct or m.round1_gbp = 0 as is_provisional,
    case
        when m.round1_gbp = 0
            then 'no in-scope spend with the suppliers who sent returns'
        when m.coverage_pct < rule.min_return_coverage_pct
            then
                'suppliers with supply-chain returns hold ' || cast(m.coverage_pct as varchar)
                || '% of in-scope spend, below the ' || cast(rule.min_return_coverage_pct as varchar) || '% the rule asks'
    end as provisional_reason,
    rule.rule_version
from measured as m
cross join rule
