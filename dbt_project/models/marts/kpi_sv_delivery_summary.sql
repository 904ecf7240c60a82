-- Committed against delivered social value per reporting unit and financial year of award.
-- The delivery figure is provisional when too few of the contracts due a return have sent a recent
-- one (coverage rule in config/rules.yml): delivered-to-date would be understated, not measured.
with coverage_rule as (
    select * from {{ ref('stg_reference__coverage_rule') }}
),

contracts as (
    select
        d.*,
        d.start_date <= d.as_of_date - to_months(cov.delivery_return_window_months)
        and d.end_date >= d.as_of_date as is_due_return,
        coalesce(d.latest_return >= d.as_of_date - to_months(cov.delivery_return_window_months), false)
            as has_recent_return
    from {{ ref('int_sv__contract_delivery') }} as d
    cross join coverage_rule as cov
),

summary as (
    select
        m.reporting_unit,
        m.reporting_unit_type,
        c.financial_year,
        count(*) as contracts_count,
        sum(c.committed_gbp) as committed_gbp,
        sum(c.delivered_gbp) as delivered_gbp,
        sum(c.delivered_gbp_current_edition) as delivered_gbp_current_edition,
        count(*) filter (where c.rag_status = 'red') as red_contracts,
        count(*) filter (where c.rag_status = 'amber') as amber_contracts,
        count(*) filter (where c.is_due_return) as contracts_due_return,
        count(*) filter (where c.is_due_return and c.has_recent_return) as contracts_with_recent_return,
        max(c.rule_version) as rule_version
    from contracts as c
    inner join {{ ref('stg_reference__reporting_unit_members') }} as m on c.partner_code = m.partner_code
    group by 1, 2, 3
),

covered as (
    select
        summary.*,
        round(100 * summary.contracts_with_recent_return / nullif(summary.contracts_due_return, 0), 2) as recent_return_pct
    from summary
)

select
    s.reporting_unit,
    s.reporting_unit_type,
    s.financial_year,
    s.contracts_count,
    cast(s.committed_gbp as decimal(18, 2)) as committed_gbp,
    cast(s.delivered_gbp as decimal(18, 2)) as delivered_gbp,
    cast(s.delivered_gbp_current_edition as decimal(18, 2)) as delivered_gbp_current_edition,
    cast(round(100 * s.delivered_gbp / nullif(s.committed_gbp, 0), 2) as decimal(7, 2)) as delivery_pct,
    s.red_contracts,
    s.amber_contracts,
    s.rule_version,
    s.contracts_due_return,
    s.contracts_with_recent_return,
    cast(s.recent_return_pct as decimal(5, 2)) as recent_return_pct,
    coalesce(s.recent_return_pct < cov.min_recent_return_pct, false) as is_provisional,
    cast(case
        when s.recent_return_pct < cov.min_recent_return_pct
            then
                printf('%d', s.contracts_with_recent_return) || ' of ' || printf('%d', s.contracts_due_return)
                || ' contracts due a delivery return sent one in the last '
                || printf('%d', cov.delivery_return_window_months) || ' months ('
                || printf('%.2f', s.recent_return_pct) || '%; the coverage rule asks for '
                || printf('%g', cov.min_recent_return_pct) || '%)'
    end as varchar) as provisional_reason,
    cast(cov.rule_version as varchar) as coverage_rule_version
from covered as s
cross join coverage_rule as cov
