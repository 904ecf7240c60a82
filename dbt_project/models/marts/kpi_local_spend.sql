-- Local spend per reporting unit (a partner, or a group such as STAR or GM) and financial year.
-- Definition: ../shared/docs/social-value-domain.md "Local spend"; the rule in force (threshold,
-- its basis, the share denominator) comes from config/rules.yml via stg_reference__local_spend_rule.
-- A figure whose supplier locations cover less in-scope spend than the coverage rule asks is
-- published as provisional, with the reason beside it, and its shares are not stated: a 0.0% home
-- share over spend whose suppliers are unplaced reads as a measurement, so shares_known and the
-- *_share_display texts say "not yet known" instead. Every output (statements, dashboard, exports,
-- make run) shows those texts rather than deciding for itself. A year with fewer than 12 months of
-- spend is marked partial (int_spend__months_covered), with the part-year threshold treatment beside it.
with rule as (
    select * from {{ ref('stg_reference__local_spend_rule') }}
),

coverage_rule as (
    select * from {{ ref('stg_reference__coverage_rule') }}
),

months as (
    select * from {{ ref('int_spend__months_covered') }}
),

in_scope as (
    select
        sy.partner_code,
        sy.financial_year,
        sy.supplier_key,
        sy.net_spend_gbp,
        sy.applied_threshold_gbp
    from {{ ref('int_spend__supplier_year') }} as sy
    where sy.is_in_scope
),

located as (
    select
        m.reporting_unit,
        m.reporting_unit_type,
        s.financial_year,
        s.net_spend_gbp,
        s.applied_threshold_gbp,
        d.lad_code,
        d.in_gm is null as location_unknown,
        coalesce(d.in_gm, false) as in_gm,
        h.lad_code is not null as in_home_area
    from in_scope as s
    inner join {{ ref('stg_reference__reporting_unit_members') }} as m
        on s.partner_code = m.partner_code
    left join {{ ref('dim_supplier') }} as d
        on s.supplier_key = d.supplier_id
    left join {{ ref('stg_reference__reporting_unit_home_lads') }} as h
        on m.reporting_unit = h.reporting_unit and d.lad_code = h.lad_code
),

totals as (
    select
        reporting_unit,
        reporting_unit_type,
        financial_year,
        sum(net_spend_gbp) as in_scope_spend_gbp,
        sum(case when in_home_area then net_spend_gbp else 0 end) as home_spend_gbp,
        sum(case when in_gm then net_spend_gbp else 0 end) as gm_spend_gbp,
        sum(case when location_unknown then net_spend_gbp else 0 end) as unknown_location_spend_gbp,
        min(applied_threshold_gbp) as min_applied_threshold_gbp,
        max(applied_threshold_gbp) as max_applied_threshold_gbp
    from located
    group by 1, 2, 3
),

covered as (
    select
        totals.*,
        round(100 * (in_scope_spend_gbp - unknown_location_spend_gbp) / nullif(in_scope_spend_gbp, 0), 2)
            as located_spend_pct,
        nullif(case
            when rule.share_denominator = 'located_spend'
                then in_scope_spend_gbp - unknown_location_spend_gbp
            else in_scope_spend_gbp
        end, 0) as share_denominator_gbp
    from totals
    cross join rule
),

shares as (
    select
        covered.*,
        round(100 * home_spend_gbp / share_denominator_gbp, 2) as home_share_pct,
        round(100 * gm_spend_gbp / share_denominator_gbp, 2) as gm_share_pct,
        -- a share is stated only on enough located spend (and never without a denominator)
        coalesce(located_spend_pct >= cov.min_located_spend_pct and share_denominator_gbp is not null, false)
            as shares_known,
        -- what a reader sees instead of a share whose evidence falls short of the coverage rule;
        -- coverage rounded down, so spend just under the rule never reads as meeting it (89.9%, not 90%)
        case
            when located_spend_pct is null then 'no in-scope spend'
            else
                'not yet known ('
                || regexp_replace(printf('%.1f', floor(located_spend_pct * 10) / 10), '\.0$', '')
                || '% of spend located)'
        end as share_unknown_text
    from covered
    cross join coverage_rule as cov
)

select
    cast(t.reporting_unit as varchar) as reporting_unit,
    cast(t.reporting_unit_type as varchar) as reporting_unit_type,
    cast(t.financial_year as varchar) as financial_year,
    cast(t.in_scope_spend_gbp as decimal(18, 2)) as in_scope_spend_gbp,
    cast(t.home_spend_gbp as decimal(18, 2)) as home_spend_gbp,
    cast(t.gm_spend_gbp as decimal(18, 2)) as gm_spend_gbp,
    cast(t.unknown_location_spend_gbp as decimal(18, 2)) as unknown_location_spend_gbp,
    cast(t.home_share_pct as decimal(5, 2)) as home_share_pct,
    cast(t.gm_share_pct as decimal(5, 2)) as gm_share_pct,
    cast(rule.threshold_gbp as decimal(18, 2)) as threshold_gbp,
    cast(rule.rule_version as varchar) as rule_version,
    cast(t.located_spend_pct as decimal(5, 2)) as located_spend_pct,
    coalesce(t.located_spend_pct < cov.min_located_spend_pct, false) as is_provisional,
    cast(case
        when t.located_spend_pct < cov.min_located_spend_pct
            then
                'supplier location known for ' || printf('%.2f', t.located_spend_pct)
                || '% of in-scope spend (the coverage rule asks for '
                || printf('%g', cov.min_located_spend_pct) || '%)'
    end as varchar) as provisional_reason,
    cast(cov.rule_version as varchar) as coverage_rule_version,
    -- columns below were added after the contract above was first published (only ever appended)
    t.shares_known,
    cast(case
        when t.shares_known then printf('%.1f%%', cast(t.home_share_pct as double))
        else t.share_unknown_text
    end as varchar) as home_share_display,
    cast(case
        when t.shares_known then printf('%.1f%%', cast(t.gm_share_pct as double))
        else t.share_unknown_text
    end as varchar) as gm_share_display,
    cast(mo.months_covered as integer) as months_covered,
    mo.is_partial_year,
    cast(mo.partial_year_note as varchar) as partial_year_note,
    cast(rule.part_year_threshold as varchar) as part_year_threshold,
    cast(case
        when t.min_applied_threshold_gbp <> t.max_applied_threshold_gbp
            then
                {{ gbp_text('rule.threshold_gbp') }} || ' net per partner-supplier-year, pro rata to each member''s '
                || 'months covered (' || {{ gbp_text('t.min_applied_threshold_gbp') }} || ' to '
                || {{ gbp_text('t.max_applied_threshold_gbp') }} || ')'
        when t.max_applied_threshold_gbp <> rule.threshold_gbp
            then
                {{ gbp_text('t.max_applied_threshold_gbp') }} || ' net per partner-supplier (the '
                || {{ gbp_text('rule.threshold_gbp') }} || ' threshold pro rata to the months covered)'
        when mo.is_partial_year
            then
                {{ gbp_text('rule.threshold_gbp') }} || ' net per partner-supplier-year, applied in full to the '
                || 'months covered'
        else {{ gbp_text('rule.threshold_gbp') }} || ' net per partner-supplier-year'
    end as varchar) as threshold_note
from shares as t
cross join rule
cross join coverage_rule as cov
left join months as mo on t.reporting_unit = mo.reporting_unit and t.financial_year = mo.financial_year
