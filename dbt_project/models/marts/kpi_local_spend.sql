-- Local spend per reporting unit (a partner, or a group such as STAR or GM) and financial year.
-- Definition: ../shared/docs/social-value-domain.md "Local spend"; the rule in force (threshold,
-- its basis, the share denominator) comes from config/rules.yml via stg_reference__local_spend_rule.
-- A figure whose supplier locations cover less in-scope spend than the coverage rule asks is
-- published as provisional, with the reason beside it.
with rule as (
    select * from {{ ref('stg_reference__local_spend_rule') }}
),

coverage_rule as (
    select * from {{ ref('stg_reference__coverage_rule') }}
),

in_scope as (
    select sy.partner_code, sy.financial_year, sy.supplier_key, sy.net_spend_gbp
    from {{ ref('int_spend__supplier_year') }} as sy
    where sy.is_in_scope
),

located as (
    select
        m.reporting_unit,
        m.reporting_unit_type,
        s.financial_year,
        s.net_spend_gbp,
        d.lad_code,
        d.in_gm is null as location_unknown,
        coalesce(d.in_gm, false) as in_gm,
        h.lad_code is not null as in_home_area
    from in_scope as s
    inner join {{ ref('stg_reference__reporting_unit_members') }} as m
        on m.partner_code = s.partner_code
    left join {{ ref('dim_supplier') }} as d
        on d.supplier_id = s.supplier_key
    left join {{ ref('stg_reference__reporting_unit_home_lads') }} as h
        on h.reporting_unit = m.reporting_unit and h.lad_code = d.lad_code
),

totals as (
    select
        reporting_unit,
        reporting_unit_type,
        financial_year,
        sum(net_spend_gbp) as in_scope_spend_gbp,
        sum(case when in_home_area then net_spend_gbp else 0 end) as home_spend_gbp,
        sum(case when in_gm then net_spend_gbp else 0 end) as gm_spend_gbp,
        sum(case when location_unknown then net_spend_gbp else 0 end) as unknown_location_spend_gbp
    from located
    group by 1, 2, 3
),

covered as (
    select
        totals.*,
        round(100 * (in_scope_spend_gbp - unknown_location_spend_gbp) / nullif(in_scope_spend_gbp, 0), 2)
            as located_spend_pct
    from totals
)

select
    cast(t.reporting_unit as varchar) as reporting_unit,
    cast(t.reporting_unit_type as varchar) as reporting_unit_type,
    cast(t.financial_year as varchar) as financial_year,
    cast(t.in_scope_spend_gbp as decimal(18, 2)) as in_scope_spend_gbp,
    cast(t.home_spend_gbp as decimal(18, 2)) as home_spend_gbp,
    cast(t.gm_spend_gbp as decimal(18, 2)) as gm_spend_gbp,
    cast(t.unknown_location_spend_gbp as decimal(18, 2)) as unknown_location_spend_gbp,
    cast(round(100 * t.home_spend_gbp / nullif(
        case when rule.share_denominator = 'located_spend'
             then t.in_scope_spend_gbp - t.unknown_location_spend_gbp
             else t.in_scope_spend_gbp end, 0), 2) as decimal(5, 2)) as home_share_pct,
    cast(round(100 * t.gm_spend_gbp / nullif(
        case when rule.share_denominator = 'located_spend'
             then t.in_scope_spend_gbp - t.unknown_location_spend_gbp
             else t.in_scope_spend_gbp end, 0), 2) as decimal(5, 2)) as gm_share_pct,
    cast(rule.threshold_gbp as decimal(18, 2)) as threshold_gbp,
    cast(rule.rule_version as varchar) as rule_version,
    cast(t.located_spend_pct as decimal(5, 2)) as located_spend_pct,
    coalesce(t.located_spend_pct < cov.min_located_spend_pct, false) as is_provisional,
    cast(case when t.located_spend_pct < cov.min_located_spend_pct
              then 'supplier location known for ' || printf('%.2f', t.located_spend_pct)
                   || '% of in-scope spend (the coverage rule asks for '
                   || printf('%g', cov.min_located_spend_pct) || '%)'
         end as varchar) as provisional_reason,
    cast(cov.rule_version as varchar) as coverage_rule_version
from covered as t
cross join rule
cross join coverage_rule as cov
