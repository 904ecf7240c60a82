-- Every address the data give for every supplier record, located: by full postcode, else by its
-- district (if the rule allows and the district lies in one borough), else unknown.
with rule as (select * from {{ ref('stg_reference__local_spend_rule') }})

select
    links.supplier_id,
    r.record_key,
    r.address_type,
    r.postcode,
    r.postcode_district,
    r.evidence_date,
    coalesce(pc.lad_code, case when rule.district_fallback then d.lad_code end) as lad_code,
    pc.ward_code,
    coalesce(l.in_gm, case when rule.district_fallback then d.in_gm end) as in_gm,
    case
        when pc.lad_code is not null then 'postcode'
        when rule.district_fallback and d.lad_code is not null then 'district'
        when rule.district_fallback and d.in_gm is not null then 'district_ambiguous'
        else 'unknown'
    end as location_precision,
    case
        when r.postcode is null and r.postcode_district is null then 'no_postcode'
        when pc.lad_code is null and d.postcode_district is null then 'postcode_not_in_directory'
        else r.address_type
    end as location_source
from {{ ref('stg_resolution__supplier_records') }} as r
inner join {{ ref('stg_resolution__supplier_links') }} as links on r.record_key = links.record_key
cross join rule
left join {{ ref('stg_reference__postcodes') }} as pc on r.postcode = pc.postcode
left join {{ ref('int_postcode__districts') }} as d on r.postcode_district = d.postcode_district
left join {{ ref('stg_reference__lads') }} as l on pc.lad_code = l.lad_code
