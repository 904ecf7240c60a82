-- Cast every column: a table written from an all-empty column (e.g. no partner has sent VAT
-- numbers yet) has no type of its own in Parquet.
select
    cast(record_key as varchar) as record_key,
    cast(origin as varchar) as origin,
    cast(partner_code as varchar) as partner_code,
    cast(supplier_ref as varchar) as supplier_ref,
    cast(supplier_name as varchar) as supplier_name,
    cast(postcode as varchar) as postcode,
    cast(postcode_district as varchar) as postcode_district,
    cast(coalesce(address_type, 'supplier_list') as varchar) as address_type,
    cast(company_number as varchar) as company_number,
    cast(charity_number as varchar) as charity_number,
    cast(vat_number as varchar) as vat_number,
    cast(is_sme as boolean) as is_sme,
    cast(is_vcse as boolean) as is_vcse,
    cast(is_sme_declared as boolean) as is_sme_declared,
    cast(is_vcse_declared as boolean) as is_vcse_declared,
    cast(registration_vcse_evidence as varchar) as registration_vcse_evidence,
    cast(name_vcse_evidence as varchar) as name_vcse_evidence,
    cast(name_key as varchar) as name_key,
    cast(evidence_date as date) as evidence_date,
    -- register records (origin register_entity / register_site): which register, which version
    cast(register as varchar) as register,
    cast(register_version as varchar) as register_version
from {{ source('resolution', 'supplier_records') }}
