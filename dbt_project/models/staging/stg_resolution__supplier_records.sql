select
    record_key, origin, partner_code, supplier_ref, supplier_name, postcode, postcode_district,
    coalesce(address_type, 'supplier_list') as address_type, company_number, charity_number, vat_number,
    cast(is_sme as boolean) as is_sme, cast(is_vcse as boolean) as is_vcse,
    cast(is_sme_declared as boolean) as is_sme_declared, cast(is_vcse_declared as boolean) as is_vcse_declared,
    registration_vcse_evidence, name_vcse_evidence, cast(evidence_date as date) as evidence_date
from {{ source('resolution', 'supplier_records') }}
