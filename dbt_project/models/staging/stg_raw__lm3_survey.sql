-- Local re-spend survey returns, one per contract and financial year.
select
    partner_code, contract_ref,
    cast(financial_year as varchar) as financial_year,
    cast(respondents as bigint) as respondents,
    {{ pence_to_gbp('local_staff_pay_pence') }} as local_staff_pay_gbp,
    cast(staff_local_respend_pct as decimal(5, 2)) as staff_local_respend_pct,
    cast(supplier_local_respend_pct as decimal(5, 2)) as supplier_local_respend_pct,
    source_file, source_file_hash, cast(source_row_number as bigint) as source_row_number, load_id
from {{ source('raw', 'lm3_survey') }}
