-- Published payment performance summaries (PCR 2015 reg. 113), one row per partner and financial year.
select
    partner_code,
    cast(financial_year as varchar) as financial_year,
    cast(pct_paid_within_30_days as decimal(5, 2)) as pct_paid_within_30_days,
    cast(invoices_paid as bigint) as invoices_paid,
    cast(invoices_paid_late as bigint) as invoices_paid_late,
    cast(avg_days_to_pay as decimal(8, 2)) as avg_days_to_pay,
    {{ pence_to_gbp('interest_paid_pence') }} as interest_paid_gbp,
    {{ pence_to_gbp('interest_liable_pence') }} as interest_liable_gbp,
    cast(period_end as date) as period_end,
    basis, source_url, organisation,
    source_file, source_file_hash, cast(source_row_number as bigint) as source_row_number, load_id
from {{ source('raw', 'payment_summary') }}
