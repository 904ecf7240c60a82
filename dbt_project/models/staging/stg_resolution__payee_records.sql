select
    cast(partner_code as varchar) as partner_code,
    cast(supplier_ref as varchar) as supplier_ref,
    cast(supplier_name as varchar) as supplier_name,
    cast(record_key as varchar) as record_key
from {{ source('resolution', 'payee_records') }}
