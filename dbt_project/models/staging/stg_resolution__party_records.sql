select feed, partner_code, supplier_name, record_key from {{ source('resolution', 'party_records') }}
