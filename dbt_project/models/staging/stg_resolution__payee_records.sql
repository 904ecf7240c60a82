select
    cast(partner_code as varchar) as partner_code,
    cast(supplier_ref as varchar) as supplier_ref,
    cast(supplier_name as varchar) as supplier_name,
    cast(record_key as varchar) as record_key,
    cast(name_key as varchar) as name_key,
    cast(payments as bigint) as payments
from {{ source('resolution', 'payee_records') }}
