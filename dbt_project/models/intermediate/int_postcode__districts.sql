-- Each postcode district and the boroughs its postcodes lie in: a district places a supplier in a
-- borough only when it lies wholly in one; GM membership is known when all its boroughs agree.
select
    p.postcode_district,
    count(distinct p.lad_code) as lad_count,
    case when count(distinct p.lad_code) = 1 then min(p.lad_code) end as lad_code,
    case
        when bool_and(coalesce(l.in_gm, false)) then true
        when not bool_or(coalesce(l.in_gm, false)) then false
    end as in_gm
from {{ ref('stg_reference__postcodes') }} as p
left join {{ ref('stg_reference__lads') }} as l on p.lad_code = l.lad_code
where not p.is_terminated
group by 1
