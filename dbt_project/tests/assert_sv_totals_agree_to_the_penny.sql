{{ config(meta={'dagster': {'ref': {'name': 'kpi_sv_by_theme'}}}) }}
-- The social value tables state the same money, so their totals agree exactly, to the penny (each
-- commitment and return is valued to the penny once, int_sv__commitments_valued): a reader adding up
-- kpi_sv_by_theme, or comparing kpi_sv_secured with kpi_sv_delivery_summary, must get the same pounds.
-- Blocking (error severity): a publication whose tables disagree is not published.
--   1. kpi_sv_by_theme, summed over themes, = kpi_sv_delivery_summary (committed and delivered);
--   2. kpi_sv_secured = the contracts of kpi_sv_delivery at or above the secured threshold;
--   3. a group's kpi_sv_secured = the sum of its member partners' rows.
with by_theme as (
    select
        reporting_unit,
        financial_year,
        sum(committed_gbp) as committed_gbp,
        sum(delivered_gbp) as delivered_gbp
    from {{ ref('kpi_sv_by_theme') }}
    group by 1, 2
),

theme_vs_summary as (
    select
        'kpi_sv_by_theme vs kpi_sv_delivery_summary' as comparison,
        coalesce(t.reporting_unit, s.reporting_unit) as reporting_unit,
        coalesce(t.financial_year, s.financial_year) as financial_year
    from by_theme as t
    full outer join {{ ref('kpi_sv_delivery_summary') }} as s
        on t.reporting_unit = s.reporting_unit and t.financial_year = s.financial_year
    where
        t.committed_gbp is distinct from s.committed_gbp
        or t.delivered_gbp is distinct from s.delivered_gbp
),

qualifying as (
    select
        d.reporting_unit,
        d.financial_year,
        sum(d.committed_gbp) as committed_gbp
    from {{ ref('kpi_sv_delivery') }} as d
    inner join {{ ref('fct_contract') }} as c on d.contract_id = c.contract_id
    cross join {{ ref('stg_reference__social_value_rule') }} as rule
    where c.contract_value_gbp >= rule.secured_min_contract_value_gbp
    group by 1, 2
),

partner_secured as (
    select *
    from {{ ref('kpi_sv_secured') }}
    where reporting_unit_type = 'partner'
),

secured_vs_delivery as (
    select
        'kpi_sv_secured vs kpi_sv_delivery' as comparison,
        coalesce(k.reporting_unit, q.reporting_unit) as reporting_unit,
        coalesce(k.financial_year, q.financial_year) as financial_year
    from partner_secured as k
    full outer join qualifying as q
        on k.reporting_unit = q.reporting_unit and k.financial_year = q.financial_year
    where k.sv_committed_gbp is distinct from q.committed_gbp
),

members as (
    select
        m.reporting_unit,
        p.financial_year,
        sum(p.sv_committed_gbp) as committed_gbp
    from {{ ref('kpi_sv_secured') }} as p
    inner join {{ ref('stg_reference__reporting_unit_members') }} as m on p.reporting_unit = m.partner_code
    where p.reporting_unit_type = 'partner' and m.reporting_unit_type = 'group'
    group by 1, 2
),

group_vs_members as (
    select
        'kpi_sv_secured group vs its partners' as comparison,
        g.reporting_unit,
        g.financial_year
    from {{ ref('kpi_sv_secured') }} as g
    inner join members as m on g.reporting_unit = m.reporting_unit and g.financial_year = m.financial_year
    where g.reporting_unit_type = 'group' and g.sv_committed_gbp <> m.committed_gbp
)

select * from theme_vs_summary
union all
select * from secured_vs_delivery
union all
select * from group_vs_members
