-- One row per accepted-exception entry that a current load evaluated for its file (the load
-- manifests' accepted_exceptions, written by ingestion/exceptions.py), applied or not.
-- The list goes through JSON so its type is the same whether a manifest lists entries, an empty
-- list (DuckDB infers JSON[]) or none.
with loads as (
    select
        partner as partner_code,
        feed,
        period,
        source_file,
        source_file_hash,
        load_id,
        from_json(to_json(accepted_exceptions), '[{
            "exception_id": "VARCHAR", "status": "VARCHAR", "detail": "VARCHAR", "check_name": "VARCHAR",
            "source_row_number": "BIGINT", "transaction_ref": "VARCHAR", "amount_pence": "BIGINT",
            "amount_as_written": "VARCHAR", "reason": "VARCHAR", "accepted_by": "VARCHAR",
            "accepted_on": "DATE", "payment_date": "DATE", "exceptions_file": "VARCHAR",
            "exceptions_version": "VARCHAR"
        }]') as entries
    from {{ source('raw', 'loads') }}
),

entries as (
    select
        partner_code,
        feed,
        period,
        source_file,
        source_file_hash,
        load_id,
        unnest(entries) as e
    from loads
)

select
    entries.partner_code,
    entries.feed,
    entries.period,
    entries.source_file,
    entries.source_file_hash,
    entries.load_id,
    e.exception_id,
    e.status,
    e.detail,
    e.check_name,
    e.source_row_number,
    e.transaction_ref,
    e.amount_pence,
    e.amount_as_written,
    e.reason,
    e.accepted_by,
    e.accepted_on,
    e.payment_date,
    e.exceptions_file,
    e.exceptions_version
from entries
