-- Each payment with the organisation it was paid to (resolved GM-wide by ingestion/resolution).
-- Redacted payees are pooled into one nameless pseudo-supplier per partner
-- (rules: redacted_payees = pooled_per_partner).
--
-- Incremental by partition (partner, period), and exact: a build writes only the partitions whose
-- rows would differ from the ones kept, so a new month at ten million ledger lines writes its own
-- rows instead of all of them again (issue 13). A row here is a function of its raw row, fixed by
-- (payment_id, load_id), and of its payee's record and link; a partition is rebuilt when the
-- (load_id, record_key, supplier_key, supplier_link_method) its rows carry differ from the kept ones
-- (a new or replaced month, an organisation that resolution joined, split or renamed). Rows of a
-- partition withdrawn or replaced, whose loads the raw layer no longer holds, are deleted by the
-- post-hook. Every row is built again when the dbt project differs from the one that built the
-- kept rows (the svw_project_digest var: ingestion/dbt_digest.py), or when no digest is given,
-- since a changed model would otherwise keep rows the old code made.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='payment_id',
        on_schema_change='fail',
        post_hook=[
            "{{ delete_rows_of_loads_gone(ref('stg_raw__spend')) }}",
            "{{ record_project_that_built_rows() }}",
        ],
    )
}}

{%- set rebuild_all = every_row_rebuilt() %}

-- the payee's record and organisation: a few rows per distinct payee, not per payment
with payee_links as (
    select
        payees.partner_code,
        payees.supplier_ref,
        payees.supplier_name,
        payees.record_key,
        links.supplier_id,
        links.link_method
    from {{ ref('stg_resolution__payee_records') }} as payees
    left join {{ ref('stg_resolution__supplier_links') }} as links on payees.record_key = links.record_key
),

{% if is_incremental() and not rebuild_all %}
    -- each partition's rows summarised (macros/incremental_by_partition.sql), from the payments'
    -- keys alone: the whole rows are joined and written only for the partitions that changed
    partition_digests as (
        select
            spend.partner_code,
            spend.period,
            {{ partition_digest([
                "spend.load_id",
                "payee.record_key",
                "case when spend.is_redacted then spend.partner_code || ':redacted' else payee.supplier_id end",
                "case when spend.is_redacted then 'redacted_pool' else payee.link_method end",
            ]) }}
        from {{ ref('stg_raw__spend') }} as spend
        left join payee_links as payee
            on
                not spend.is_redacted
                and spend.partner_code = payee.partner_code
                and payee.supplier_ref is not distinct from spend.supplier_ref
                and spend.supplier_name = payee.supplier_name
        group by spend.partner_code, spend.period
    ),

    {{ kept_and_changed_partitions(["load_id", "record_key", "supplier_key", "supplier_link_method"]) }},

    spend as (
        select spend.*
        from {{ ref('stg_raw__spend') }} as spend
        inner join changed_partitions using (partner_code, period)
    )
{% else %}
    spend as (select * from {{ ref('stg_raw__spend') }})
{% endif %}

select
    spend.*,
    case when spend.is_redacted then spend.partner_code || ':redacted' else payee.supplier_id end as supplier_key,
    case when spend.is_redacted then 'redacted_pool' else payee.link_method end as supplier_link_method,
    payee.record_key
from spend
left join payee_links as payee
    on
        not spend.is_redacted
        and spend.partner_code = payee.partner_code
        and payee.supplier_ref is not distinct from spend.supplier_ref
        and spend.supplier_name = payee.supplier_name
