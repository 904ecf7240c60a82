-- Share of in-scope spend with suppliers based in the most deprived 10% (decile 1) and 20%
-- (deciles 1-2) of neighbourhoods in England, per reporting unit, financial year and domain of the
-- English Indices of Deprivation (imd: the overall index; income; employment). In scope exactly as
-- the local-spend rule decides it, so in_scope_spend_gbp is kpi_local_spend's. The edition that
-- measures each year, and the LSOA vintage it places suppliers on, come from config/rules.yml
-- (deprivation; int_deprivation__year_editions) and are named on every row. Shares are given over
-- all in-scope spend and over located spend (suppliers placed in an LSOA the edition ranks);
-- unlocated spend (no postcode, district only, redacted payees) is not counted as not deprived.
-- Supplier counts are of organisations (a group counts a supplier of two members once), never of
-- redacted pools. A share is a measurement only when enough in-scope spend has a known
-- neighbourhood (the coverage rule, as for local spend): otherwise shares_known is false and the
-- *_display columns say "not yet known" with the coverage, so 0% of located spend never reads as
-- "no spend in deprived places".
with coverage as (select min_located_spend_pct from {{ ref('stg_reference__coverage_rule') }}),

placed as (
    select * from {{ ref('int_spend_neighbourhood__by_unit') }}
),

by_domain as (
    select
        *,
        'imd' as domain,
        imd_decile as decile
    from placed
    union all
    select
        *,
        'income' as domain,
        income_decile as decile
    from placed
    union all
    select
        *,
        'employment' as domain,
        employment_decile as decile
    from placed
),

totals as (
    select
        reporting_unit,
        reporting_unit_type,
        financial_year,
        domain,
        min(edition) as edition,
        min(edition_title) as edition_title,
        min(lsoa_vintage) as lsoa_vintage,
        min(rule_version) as rule_version,
        min(location_rule_version) as location_rule_version,
        sum(net_spend_gbp) as in_scope_spend_gbp,
        coalesce(sum(net_spend_gbp) filter (where decile is not null), 0) as located_spend_gbp,
        coalesce(sum(net_spend_gbp) filter (where decile = 1), 0) as decile_1_spend_gbp,
        coalesce(sum(net_spend_gbp) filter (where decile <= 2), 0) as deciles_1_2_spend_gbp,
        count(distinct supplier_id) filter (where not is_redacted_pool) as in_scope_suppliers,
        count(distinct supplier_id) filter (where decile is not null) as located_suppliers,
        count(distinct supplier_id) filter (where decile = 1) as decile_1_suppliers,
        count(distinct supplier_id) filter (where decile <= 2) as deciles_1_2_suppliers
    from by_domain
    group by 1, 2, 3, 4
),

stated as (
    select
        totals.*,
        coalesce(
            located_spend_gbp > 0
            and 100 * located_spend_gbp / nullif(in_scope_spend_gbp, 0) >= coverage.min_located_spend_pct,
            false
        ) as shares_known,
        case
            when coalesce(in_scope_spend_gbp, 0) = 0 then 'no in-scope spend'
            else
                'not yet known (supplier neighbourhood known for '
                || printf('%.2f', floor(10000 * located_spend_gbp / in_scope_spend_gbp) / 100)
                || '% of in-scope spend; the coverage rule asks for '
                || printf('%g', coverage.min_located_spend_pct) || '%)'
        end as share_unknown_text
    from totals cross join coverage
)

select
    cast(reporting_unit as varchar) as reporting_unit,
    cast(reporting_unit_type as varchar) as reporting_unit_type,
    cast(financial_year as varchar) as financial_year,
    cast(domain as varchar) as domain,
    cast(edition as varchar) as edition,
    cast(edition_title as varchar) as edition_title,
    cast(lsoa_vintage as varchar) as lsoa_vintage,
    cast(in_scope_spend_gbp as decimal(18, 2)) as in_scope_spend_gbp,
    cast(located_spend_gbp as decimal(18, 2)) as located_spend_gbp,
    cast(in_scope_spend_gbp - located_spend_gbp as decimal(18, 2)) as unlocated_spend_gbp,
    cast(decile_1_spend_gbp as decimal(18, 2)) as decile_1_spend_gbp,
    cast(deciles_1_2_spend_gbp as decimal(18, 2)) as deciles_1_2_spend_gbp,
    cast(round(100 * located_spend_gbp / nullif(in_scope_spend_gbp, 0), 2) as decimal(5, 2)) as located_spend_pct,
    cast(round(100 * decile_1_spend_gbp / nullif(in_scope_spend_gbp, 0), 2) as decimal(5, 2)) as decile_1_share_pct,
    cast(round(100 * deciles_1_2_spend_gbp / nullif(in_scope_spend_gbp, 0), 2) as decimal(5, 2))
        as deciles_1_2_share_pct,
    cast(round(100 * decile_1_spend_gbp / nullif(located_spend_gbp, 0), 2) as decimal(5, 2))
        as decile_1_located_share_pct,
    cast(round(100 * deciles_1_2_spend_gbp / nullif(located_spend_gbp, 0), 2) as decimal(5, 2))
        as deciles_1_2_located_share_pct,
    cast(in_scope_suppliers as integer) as in_scope_suppliers,
    cast(located_suppliers as integer) as located_suppliers,
    cast(decile_1_suppliers as integer) as decile_1_suppliers,
    cast(deciles_1_2_suppliers as integer) as deciles_1_2_suppliers,
    cast(rule_version as varchar) as rule_version,
    cast(location_rule_version as varchar) as location_rule_version,
    -- columns below were added after the contract above was first published (only ever appended)
    shares_known,
    cast(case
        when shares_known then printf('%.1f%%', round(100 * decile_1_spend_gbp / in_scope_spend_gbp, 2))
        else share_unknown_text
    end as varchar) as decile_1_share_display,
    cast(case
        when shares_known then printf('%.1f%%', round(100 * deciles_1_2_spend_gbp / in_scope_spend_gbp, 2))
        else share_unknown_text
    end as varchar) as deciles_1_2_share_display,
    cast(case
        when shares_known then printf('%.1f%%', round(100 * decile_1_spend_gbp / located_spend_gbp, 2))
        else share_unknown_text
    end as varchar) as decile_1_located_share_display,
    cast(case
        when shares_known then printf('%.1f%%', round(100 * deciles_1_2_spend_gbp / located_spend_gbp, 2))
        else share_unknown_text
    end as varchar) as deciles_1_2_located_share_display
from stated
