-- Every in-scope partner-supplier-year (the local-spend rule's unit), placed in its neighbourhood:
-- on the LSOA vintage of the deprivation edition that measures the year (IMD 2019 -> LSOA 2011,
-- IoD 2025 -> LSOA 2021) with that edition's deciles, and on current codes (LSOA 2021, ward 2024,
-- district) for the ward view. A supplier is placed only from a full postcode; redacted pools and
-- suppliers located only to a district have no neighbourhood (counted as not located).
with in_scope as (
    select * from {{ ref('int_spend__supplier_year') }}
    where is_in_scope
)

select
    cast(s.partner_code as varchar) as partner_code,
    cast(s.financial_year as varchar) as financial_year,
    cast(s.supplier_key as varchar) as supplier_id,
    coalesce(d.is_redacted_pool, false) as is_redacted_pool,
    cast(s.net_spend_gbp as decimal(18, 2)) as net_spend_gbp,
    cast(ye.edition as varchar) as edition,
    cast(ed.edition_title as varchar) as edition_title,
    cast(ed.lsoa_vintage as varchar) as lsoa_vintage,
    cast(case when d.location_precision = 'postcode' then d.postcode end as varchar) as postcode,
    cast(case when ed.lsoa_vintage = '2011' then n.lsoa11_code else n.lsoa21_code end as varchar)
        as placed_lsoa_code,
    cast(n.lsoa11_code as varchar) as lsoa11_code,
    cast(n.lsoa21_code as varchar) as lsoa21_code,
    cast(n.lsoa21_source as varchar) as lsoa21_source,
    cast(dep.imd_decile as integer) as imd_decile,
    cast(dep.income_decile as integer) as income_decile,
    cast(dep.employment_decile as integer) as employment_decile,
    cast(d.lad_code as varchar) as lad_code,
    d.in_gm,
    cast(n.ward_code as varchar) as ward_code,
    cast(n.ward_name as varchar) as ward_name,
    cast(n.ward_source as varchar) as ward_source,
    cast(ye.rule_version as varchar) as rule_version,
    cast(s.rule_version as varchar) as location_rule_version
from in_scope as s
inner join {{ ref('int_deprivation__year_editions') }} as ye on s.financial_year = ye.financial_year
inner join {{ ref('stg_reference__deprivation_editions') }} as ed on ye.edition = ed.edition
left join {{ ref('dim_supplier') }} as d on s.supplier_key = d.supplier_id
left join {{ ref('int_postcode__neighbourhoods') }} as n
    on d.postcode = n.postcode and d.location_precision = 'postcode'
left join {{ ref('stg_reference__deprivation') }} as dep
    on
        ye.edition = dep.edition
        and dep.lsoa_code = case when ed.lsoa_vintage = '2011' then n.lsoa11_code else n.lsoa21_code end
