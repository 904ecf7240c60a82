select partner_code, supplier_ref, supplier_name, record_key
from {{ source('resolution', 'payee_records') }}
