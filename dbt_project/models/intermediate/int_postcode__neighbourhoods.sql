-- Each live postcode's neighbourhood on both LSOA vintages and its current ward. LSOA 2021 comes
-- from the directory (or its point-in-polygon placement, ingestion/geography.py), else from its
-- output area, else from its LSOA 2011 where that code maps to exactly one 2021 code; LSOA 2011
-- from the directory, else from the 2021 code where that has exactly one 2011 parent (a split's
-- child; a merge has several parents and stays unknown). The ward is the directory's when it is a
-- current (2024) ward code, else the LSOA 2021's best-fit ward: so every ward is on the codes the
-- map draws, whatever year the user's directory was published.
with changes as (
    select * from {{ ref('stg_reference__lsoa_changes') }}
),

to_2021 as (
    select
        lsoa11_code,
        min(lsoa21_code) as lsoa21_code
    from changes
    group by 1
    having count(*) = 1
),

to_2011 as (
    select
        lsoa21_code,
        min(lsoa11_code) as lsoa11_code
    from changes
    group by 1
    having count(*) = 1
),

current_wards as (
    select distinct
        ward_code,
        ward_name,
        lad_code
    from {{ ref('stg_reference__lsoa_wards') }}
),

placed_2021 as (
    select
        p.postcode,
        p.lad_code,
        p.ward_code as directory_ward_code,
        p.lsoa11_code as directory_lsoa11_code,
        coalesce(p.lsoa21_code, oa.lsoa21_code, t21.lsoa21_code) as lsoa21_code,
        case
            when p.lsoa21_code is not null then p.lsoa_source
            when oa.lsoa21_code is not null then 'output_area'
            when t21.lsoa21_code is not null then 'lsoa11_lookup'
        end as lsoa21_source
    from {{ ref('stg_reference__postcodes') }} as p
    left join {{ ref('stg_reference__output_areas') }} as oa on p.oa21_code = oa.oa21_code
    left join to_2021 as t21 on p.lsoa11_code = t21.lsoa11_code
    where not p.is_terminated
)

select
    p.postcode,
    p.lad_code,
    p.lsoa21_code,
    p.lsoa21_source,
    coalesce(p.directory_lsoa11_code, t11.lsoa11_code) as lsoa11_code,
    case
        when p.directory_lsoa11_code is not null then 'directory'
        when t11.lsoa11_code is not null then 'lsoa21_lookup'
    end as lsoa11_source,
    coalesce(dw.ward_code, bf.ward_code) as ward_code,
    coalesce(dw.ward_name, bf.ward_name) as ward_name,
    case
        when dw.ward_code is not null then 'directory'
        when bf.ward_code is not null then 'lsoa21_best_fit'
    end as ward_source
from placed_2021 as p
left join to_2011 as t11 on p.lsoa21_code = t11.lsoa21_code
left join current_wards as dw on p.directory_ward_code = dw.ward_code
left join {{ ref('stg_reference__lsoa_wards') }} as bf on p.lsoa21_code = bf.lsoa21_code
