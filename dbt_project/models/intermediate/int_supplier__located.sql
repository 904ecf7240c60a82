-- Each partner supplier-list entry with the borough its postcode lies in (if known).
-- Address rule (config/rules.yml local_spend.address_rule): supplier_list_postcode.
select
    s.partner_code,
    s.supplier_ref,
    s.supplier_name,
    s.supplier_name_key,
    s.postcode,
    s.postcode_as_given,
    s.company_number,
    s.charity_number,
    s.vat_number,
    p.lad_code,
    l.lad_name,
    l.in_gm,
    case
        when s.postcode is null and s.postcode_as_given is null then 'no_postcode'
        when s.postcode is null then 'postcode_unreadable'
        when p.lad_code is null then 'postcode_not_in_directory'
        when l.lad_code is null then 'lad_not_in_reference'
        else 'supplier_list_postcode'
    end as location_source
from {{ ref('stg_raw__suppliers') }} as s
left join {{ ref('stg_reference__postcodes') }} as p on p.postcode = s.postcode
left join {{ ref('stg_reference__lads') }} as l on l.lad_code = p.lad_code
