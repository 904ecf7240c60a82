-- One row per ledger line, with its supplier and the file and row it came from.
-- Redacted payees never carry a name here.
--
-- A projection of int_spend__linked_to_supplier, built incrementally by partition the same way
-- (macros/incremental_by_partition.sql): a partition is written again when the loads and suppliers
-- its rows carry differ from that model's, and rows of loads it no longer holds are deleted.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='payment_id',
        on_schema_change='fail',
        post_hook=[
            "{{ delete_rows_of_loads_gone(ref('int_spend__linked_to_supplier')) }}",
            "{{ record_project_that_built_rows() }}",
        ],
    )
}}

{%- set rebuild_all = every_row_rebuilt() %}

{% if is_incremental() and not rebuild_all %}
    with partition_digests as (
        select
            partner_code,
            period,
            {{ partition_digest(["load_id", "supplier_key", "supplier_link_method"]) }}
        from {{ ref('int_spend__linked_to_supplier') }}
        group by partner_code, period
    ),

    {{ kept_and_changed_partitions(["load_id", "supplier_id", "supplier_link_method"]) }},

    linked as (
        select linked.*
        from {{ ref('int_spend__linked_to_supplier') }} as linked
        inner join changed_partitions using (partner_code, period)
    )
{% else %}
    with linked as (select * from {{ ref('int_spend__linked_to_supplier') }})
{% endif %}

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
from linked
