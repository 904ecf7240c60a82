-- Each Procurement Act contract's latest KPI rating (UK9) beside the RAG of its social value
-- delivery (kpi_sv_delivery), flagged where the two disagree (config/rules.yml
-- contract_performance; docs/procurement-act-notices.md). The latest rating is the worst of the
-- contract's KPIs in its latest rated period. A contract with no RAG is not compared: disagrees
-- is null, not false.
with rule as (select * from {{ ref('stg_reference__contract_performance_rule') }}),

contracts as (
    select *
    from {{ ref('stg_raw__contract_notices') }}
    where row_kind = 'contract'
),

kpi_counts as (
    select
        partner_code,
        ocid,
        contract_ref,
        count(distinct kpi_id) as kpi_count
    from {{ ref('stg_raw__contract_notices') }}
    where row_kind = 'kpi'
    group by 1, 2, 3
),

ratings as (select * from {{ ref('int_contract__kpi_ratings') }}),

history as (
    select
        partner_code,
        ocid,
        contract_ref,
        max(period_end) as latest_period_end,
        count(distinct period_end) as rating_periods,
        count(*) as ratings_to_date
    from ratings
    group by 1, 2, 3
),

latest as (
    select
        r.partner_code,
        r.ocid,
        r.contract_ref,
        min(r.rating_rank) as worst_rank,
        count(distinct r.kpi_id) as rated_kpis
    from ratings as r
    inner join history as h
        on
            r.partner_code = h.partner_code
            and r.ocid = h.ocid
            and r.contract_ref = h.contract_ref
            and r.period_end = h.latest_period_end
    group by 1, 2, 3
),

joined as (
    select
        c.partner_code,
        c.ocid,
        c.contract_ref,
        reg.contract_id,
        c.title,
        c.supplier_name,
        c.contract_status,
        c.notice_types,
        c.latest_notice_type,
        c.amendment_count,
        h.latest_period_end,
        d.rag_status as sv_rag_status,
        d.delivery_pct as sv_delivery_pct,
        d.rule_version as sv_rule_version,
        rule.rule_version,
        reg.contract_id is not null as is_on_register,
        coalesce(k.kpi_count, 0) as kpi_count,
        coalesce(l.rated_kpis, 0) as rated_kpis_latest,
        coalesce(h.rating_periods, 0) as rating_periods,
        coalesce(h.ratings_to_date, 0) as ratings_to_date,
        {{ financial_year('coalesce(h.latest_period_end, c.award_date, c.latest_notice_date)') }} as financial_year,
        rule.rating_order_worst_first[l.worst_rank] as latest_rating,
        rule.favourable_ratings,
        rule.unfavourable_ratings,
        rule.favourable_sv_rag,
        rule.unfavourable_sv_rag
    from contracts as c
    cross join rule
    left join kpi_counts as k
        on c.partner_code = k.partner_code and c.ocid = k.ocid and c.contract_ref = k.contract_ref
    left join history as h
        on c.partner_code = h.partner_code and c.ocid = h.ocid and c.contract_ref = h.contract_ref
    left join latest as l
        on c.partner_code = l.partner_code and c.ocid = l.ocid and c.contract_ref = l.contract_ref
    left join {{ ref('int_contract__by_ref') }} as reg
        on c.partner_code = reg.partner_code and c.contract_ref = reg.contract_ref
    left join {{ ref('int_sv__contract_delivery') }} as d on reg.contract_id = d.contract_id
),

compared as (
    select
        *,
        case latest_rating
            when 'met' then 'good'
            when 'slightlyBelow' then 'approaching target'
            when 'below' then 'requires improvement'
            when 'significantlyBelow' then 'inadequate'
            when 'other' then 'other'
        end as latest_rating_label,
        case
            when latest_rating is null or sv_rag_status is null or sv_rag_status not in ('red', 'amber', 'green')
                then null
            when list_contains(favourable_ratings, latest_rating) and list_contains(unfavourable_sv_rag, sv_rag_status)
                then true
            when list_contains(unfavourable_ratings, latest_rating) and list_contains(favourable_sv_rag, sv_rag_status)
                then true
            else false
        end as disagrees
    from joined
)

select
    partner_code as reporting_unit,
    'partner' as reporting_unit_type,
    financial_year,
    ocid,
    contract_ref,
    contract_id,
    is_on_register,
    title,
    supplier_name,
    contract_status,
    notice_types,
    latest_notice_type,
    amendment_count,
    kpi_count,
    rating_periods,
    ratings_to_date,
    latest_period_end,
    rated_kpis_latest,
    latest_rating,
    latest_rating_label,
    sv_rag_status,
    sv_delivery_pct,
    disagrees,
    case
        when latest_rating is null then 'not yet rated (no UK9 notice)'
        when not is_on_register then 'not compared: the contract is not on the contract register'
        when sv_rag_status is null then 'not compared: no social value committed on the contract'
        when sv_rag_status not in ('red', 'amber', 'green') then 'not compared: social value delivery not started'
        else 'rated ' || latest_rating_label || ', social value delivery ' || sv_rag_status
    end as comparison,
    sv_rule_version,
    rule_version
from compared
