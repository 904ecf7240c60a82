-- Social value committed and delivered by framework theme and outcome, mapped to GM priorities
-- (config/gm_priorities.csv: a specific outcome first, else the theme's '*').
with committed as (
    select
        partner_code,
        financial_year,
        theme,
        outcome,
        sum(committed_gbp) as committed_gbp,
        count(*) filter (where is_record_only) as record_only_commitments,
        bool_or(framework_is_illustrative) as framework_is_illustrative
    from {{ ref('int_sv__commitments_valued') }}
    group by 1, 2, 3, 4
),

delivered as (
    select
        partner_code,
        financial_year,
        theme,
        outcome,
        sum(delivered_gbp_award_edition) as delivered_gbp
    from {{ ref('int_sv__deliveries_valued') }}
    where counts_as_delivered
    group by 1, 2, 3, 4
),

both_ as (
    select
        coalesce(c.partner_code, d.partner_code) as partner_code,
        coalesce(c.financial_year, d.financial_year) as financial_year,
        coalesce(c.theme, d.theme) as theme,
        coalesce(c.outcome, d.outcome) as outcome,
        coalesce(c.committed_gbp, 0) as committed_gbp,
        coalesce(d.delivered_gbp, 0) as delivered_gbp,
        coalesce(c.record_only_commitments, 0) as record_only_commitments,
        coalesce(c.framework_is_illustrative, false) as framework_is_illustrative
    from committed as c full outer join delivered as d using (partner_code, financial_year, theme, outcome)
),

priority as (
    select
        b.theme,
        b.outcome,
        p.gm_priority,
        row_number() over (partition by b.theme, b.outcome order by (p.outcome = '*'), p.priority_rank) as position
    from (select distinct
        theme,
        outcome
    from both_) as b
    inner join {{ ref('stg_reference__gm_priorities') }} as p
        on b.theme = p.theme and (b.outcome = p.outcome or p.outcome = '*')
)

select
    m.reporting_unit,
    m.reporting_unit_type,
    b.financial_year,
    b.theme,
    b.outcome,
    coalesce(p.gm_priority, 'unmapped') as gm_priority,
    cast(sum(b.committed_gbp) as decimal(18, 2)) as committed_gbp,
    cast(sum(b.delivered_gbp) as decimal(18, 2)) as delivered_gbp,
    sum(b.record_only_commitments) as record_only_commitments,
    bool_or(b.framework_is_illustrative) as framework_is_illustrative
from both_ as b
inner join {{ ref('stg_reference__reporting_unit_members') }} as m on b.partner_code = m.partner_code
left join priority as p on b.theme = p.theme and b.outcome = p.outcome and p.position = 1
group by 1, 2, 3, 4, 5, 6
