-- Invoice-level payment records: days from receipt of a valid invoice to payment.
select
    md5(partner_code || '|' || source_file_hash || '|' || cast(source_row_number as varchar)) as invoice_line_id,
    partner_code, invoice_ref, supplier_ref, supplier_name,
    cast(received_date as date) as received_date,
    cast(paid_date as date) as paid_date,
    date_diff('day', cast(received_date as date), cast(paid_date as date)) as days_to_pay,
    {{ financial_year('paid_date') }} as financial_year,
    {{ pence_to_gbp('amount_pence') }} as amount_gbp,
    coalesce(cast(is_disputed as boolean), false) as is_disputed,
    {{ pence_to_gbp('interest_paid_pence') }} as interest_paid_gbp,
    source_file, source_file_hash, cast(source_row_number as bigint) as source_row_number, load_id
from {{ source('raw', 'invoices') }}
