-- Every accepted exception (config/exceptions/<partner>.yml) that a current load evaluated: the
-- rows loaded past a blocking check, and the entries that were not applied, with who accepted
-- each, when and why.
select
    partner_code,
    feed,
    -- the applied row's own payment date, else its file's period
    {{ financial_year("coalesce(payment_date, cast(try_strptime(period || '-01', '%Y-%m-%d') as date))") }}
        as financial_year,
    period,
    source_file,
    exception_id,
    status,
    status = 'applied' as is_applied,
    detail,
    check_name,
    source_row_number,
    transaction_ref,
    {{ pence_to_gbp('amount_pence') }} as amount_gbp,
    amount_as_written,
    reason,
    accepted_by,
    accepted_on,
    exceptions_file,
    exceptions_version,
    load_id
from {{ ref('stg_raw__load_exceptions') }}
