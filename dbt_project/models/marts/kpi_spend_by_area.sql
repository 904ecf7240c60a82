-- In-scope spend by where its suppliers are based, per reporting unit and financial year, at two
-- levels: district (the ten GM boroughs) and ward (GM electoral wards, May 2024 codes), both on
-- current codes whatever the year (a 2019 supplier placed on LSOA 2011 is reported on its 2021
-- ward: int_postcode__neighbourhoods). Each level adds up to all in-scope spend: besides real areas
-- it has outside_gm (located outside Greater Manchester), unknown (location not known, incl.
-- redacted payees) and, in GM but not placed finer, gm_district_unknown / gm_ward_unknown.
-- publishing/maps.py draws the GM map from this table.
with placed as (
    select * from {{ ref('int_spend_neighbourhood__by_unit') }}
),

areas as (
    select
        *,
        'district' as area_level,
        case
            when in_gm is null then 'unknown'
            when not in_gm then 'outside_gm'
            when lad_code is null then 'gm_district_unknown'
            else lad_code
        end as area_code,
        lad_code as area_lad_code
    from placed
    union all
    select
        *,
        'ward' as area_level,
        case
            when in_gm is null then 'unknown'
            when not in_gm then 'outside_gm'
            when ward_code is null then 'gm_ward_unknown'
            else ward_code
        end as area_code,
        lad_code as area_lad_code
    from placed
),

wards as (
    select distinct
        ward_code,
        ward_name
    from {{ ref('stg_reference__lsoa_wards') }}
),

totals as (
    select
        reporting_unit,
        reporting_unit_type,
        financial_year,
        area_level,
        area_code,
        case when area_code like 'E0%' then min(area_lad_code) end as lad_code,
        min(location_rule_version) as location_rule_version,
        sum(net_spend_gbp) as spend_gbp,
        count(distinct supplier_id) filter (where not is_redacted_pool) as suppliers,
        sum(sum(net_spend_gbp)) over (partition by reporting_unit, financial_year, area_level) as level_total_gbp
    from areas
    group by 1, 2, 3, 4, 5
)

select
    cast(t.reporting_unit as varchar) as reporting_unit,
    cast(t.reporting_unit_type as varchar) as reporting_unit_type,
    cast(t.financial_year as varchar) as financial_year,
    cast(t.area_level as varchar) as area_level,
    cast(t.area_code as varchar) as area_code,
    cast(case
        when t.area_code = 'unknown' then 'Location not known'
        when t.area_code = 'outside_gm' then 'Outside Greater Manchester'
        when t.area_code = 'gm_district_unknown' then 'In Greater Manchester, borough not known'
        when t.area_code = 'gm_ward_unknown' then 'In Greater Manchester, ward not known'
        when t.area_level = 'ward' then w.ward_name
        else l.lad_name
    end as varchar) as area_name,
    cast(t.lad_code as varchar) as lad_code,
    cast(l.lad_name as varchar) as lad_name,
    t.area_code like 'E0%' as is_area,
    cast(t.spend_gbp as decimal(18, 2)) as in_scope_spend_gbp,
    cast(round(100 * t.spend_gbp / nullif(t.level_total_gbp, 0), 2) as decimal(5, 2)) as share_of_in_scope_pct,
    cast(t.suppliers as integer) as suppliers,
    cast(case
        when t.area_level = 'ward' then 'electoral wards May 2024 (LSOA 2021 best fit where the directory gives no current ward)'
        else 'local authority districts Dec 2023'
    end as varchar) as area_vintage,
    cast(t.location_rule_version as varchar) as location_rule_version
from totals as t
left join wards as w on t.area_level = 'ward' and t.area_code = w.ward_code
left join {{ ref('stg_reference__lads') }} as l on t.lad_code = l.lad_code
