-- One row per ledger line, with its supplier and the file and row it came from.
-- Redacted payees never carry a name here.
select
    payment_id,
    partner_code,
    period,
    payment_date,
    financial_year,
    supplier_key as supplier_id,
    supplier_link_method,
    case when is_redacted then null else supplier_name end as supplier_name,
    is_redacted,
    amount_gbp,
    amount_gbp < 0 as is_credit,
    service_area,
    expense_type,
    transaction_ref,
    source_file,
    source_file_hash,
    source_row_number,
    load_id
from {{ ref('int_spend__linked_to_supplier') }}
