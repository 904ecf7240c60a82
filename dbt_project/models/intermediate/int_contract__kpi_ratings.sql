-- Each UK9 rating of a KPI (one row per observation in a contract's compiled release), with the
-- UK7 KPI it rates and the contract-register row it belongs to. A rating on a KPI the UK7 did not
-- agree, or on a contract the register does not hold, is kept and flagged, never dropped.
with rule as (select * from {{ ref('stg_reference__contract_performance_rule') }}),

notices as (select * from {{ ref('stg_raw__contract_notices') }}),

kpis as (
    select
        partner_code,
        ocid,
        contract_ref,
        kpi_id,
        min(kpi_title) as kpi_title,
        min(kpi_target) as kpi_target
    from notices
    where row_kind = 'kpi'
    group by 1, 2, 3, 4
)

select
    r.notice_row_id as rating_id,
    r.partner_code,
    r.ocid,
    r.contract_ref,
    reg.contract_id,
    reg.contract_id is not null as is_on_register,
    r.kpi_id,
    coalesce(k.kpi_title, r.kpi_title) as kpi_title,
    k.kpi_target,
    k.kpi_id is not null as is_agreed_kpi,
    r.observation_id,
    r.period_start,
    r.period_end,
    {{ financial_year('r.period_end') }} as financial_year,
    r.rating,
    -- the words of the UK9 notice for the UK extension's codes (ingestion/procurement_act.py UK9_RATINGS)
    case r.rating
        when 'met' then 'good'
        when 'slightlyBelow' then 'approaching target'
        when 'below' then 'requires improvement'
        when 'significantlyBelow' then 'inadequate'
        else 'other'
    end as rating_label,
    list_position(rule.rating_order_worst_first, r.rating) as rating_rank,
    r.source_file,
    r.source_row_number,
    rule.rule_version
from notices as r
cross join rule
left join kpis as k
    on
        r.partner_code = k.partner_code
        and r.ocid = k.ocid
        and r.contract_ref = k.contract_ref
        and r.kpi_id = k.kpi_id
left join {{ ref('int_contract__by_ref') }} as reg
    on r.partner_code = reg.partner_code and r.contract_ref = reg.contract_ref
where r.row_kind = 'rating'
