-- One location per organisation: the address type the rule prefers, then a full postcode over a
-- district, then the most recent evidence (rules: local_spend.address_preference).
with ranked as (
    select
        a.*,
        row_number() over (
            partition by a.supplier_id
            order by
                case a.location_precision
                    when 'postcode' then 1 when 'district' then 2
                    when 'district_ambiguous' then 3 else 4
                end > 3,
                coalesce(p.preference_rank, 99),
                case a.location_precision
                    when 'postcode' then 1 when 'district' then 2
                    when 'district_ambiguous' then 3 else 4
                end,
                a.evidence_date desc nulls last,
                a.record_key asc
        ) as position
    from {{ ref('int_supplier__addresses') }} as a
    left join {{ ref('stg_reference__address_preference') }} as p on a.address_type = p.address_type
)

select
    supplier_id,
    postcode,
    lad_code,
    ward_code,
    in_gm,
    location_precision,
    case when location_precision = 'unknown' then location_source else address_type end as location_source,
    address_type as location_address_type
from ranked
where position = 1
