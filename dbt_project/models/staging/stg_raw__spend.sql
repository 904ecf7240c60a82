-- One row per loaded ledger line: renamed, typed, financial year attached. No business rules.
select
    md5(partner_code || '|' || source_file_hash || '|' || cast(source_row_number as varchar)) as payment_id,
    partner_code,
    period,
    cast(payment_date as date) as payment_date,
    {{ financial_year('payment_date') }} as financial_year,
    nullif(trim(supplier_name), '') as supplier_name,
    nullif(trim(supplier_ref), '') as supplier_ref,
    cast(amount_pence as bigint) as amount_pence,
    {{ pence_to_gbp('amount_pence') }} as amount_gbp,
    transaction_ref,
    service_area,
    expense_type,
    vat_number,
    is_redacted,
    source_file,
    source_file_hash,
    cast(source_row_number as bigint) as source_row_number,
    load_id,
    loaded_at,
    -- ids of the accepted exceptions (config/exceptions/) the row was loaded under; null for most
    accepted_exception
from {{ source('raw', 'spend') }}
