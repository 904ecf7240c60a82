{{ config(meta={'dagster': {'ref': {'name': 'dim_supplier'}}}) }}
-- The name dim_supplier gives an organisation and the source it says the name came from are those
-- of one of the organisation's records: a name from one record beside another record's source
-- misstates where the name came from (two arg_max calls breaking ties each their own way did so).
select
    d.supplier_id,
    d.supplier_name,
    d.name_source
from {{ ref('dim_supplier') }} as d
where
    not d.is_redacted_pool
    and not exists (
        select 1
        from {{ ref('stg_resolution__supplier_records') }} as r
        inner join {{ ref('stg_resolution__supplier_links') }} as l using (record_key)
        where
            l.supplier_id = d.supplier_id
            and r.supplier_name = d.supplier_name
            and r.origin || ':' || coalesce(r.partner_code, r.register) = d.name_source
    )
