-- Partner supplier lists: one row per partner x supplier reference (duplicates were quarantined).
select
    partner_code,
    nullif(trim(supplier_ref), '') as supplier_ref,
    nullif(trim(supplier_name), '') as supplier_name,
    postcode,
    postcode_as_given,
    nullif(trim(company_number), '') as company_number,
    nullif(trim(charity_number), '') as charity_number,
    nullif(trim(vat_number), '') as vat_number,
    source_file,
    source_file_hash,
    cast(source_row_number as bigint) as source_row_number,
    load_id
from {{ source('raw', 'suppliers') }}
