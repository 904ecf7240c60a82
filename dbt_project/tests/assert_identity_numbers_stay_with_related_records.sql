{{ config(meta={'dagster': {'ref': {'name': 'dim_supplier'}}}) }}
-- An organisation known by a registration number (identity_basis company:/charity:/vat:) takes that
-- number from one or more of its records. Every other record joined to it by name must be related
-- (macros/name_words.sql) to a record that gives the number, or to the record it was linked to
-- ('LTE Group' -> 'LTE Group (Manchester College)' -> 'The Manchester College'): otherwise a payee
-- has taken another partner's VAT or company identity through a name it does not share. Records
-- linked by a partner's override are exempt (config/overrides/suppliers.yml, a person's decision).
with records as (
    select
        l.supplier_id,
        l.record_key,
        l.link_method,
        l.linked_to,
        l.identity_basis,
        l.carries_identity_number,
        r.partner_code,
        r.name_key
    from {{ ref('stg_resolution__supplier_links') }} as l
    inner join {{ ref('stg_resolution__supplier_records') }} as r using (record_key)
    where split_part(l.identity_basis, ':', 1) in ('company', 'charity', 'vat')
),

overridden as (
    select distinct supplier_id from records
    where link_method = 'override_link'
),

givers as (
    select
        supplier_id,
        name_key
    from records
    where carries_identity_number
),

takers as (
    select *
    from records
    where
        not carries_identity_number
        and link_method like 'name_%'
        and supplier_id not in (select supplier_id from overridden)
)

select
    t.supplier_id,
    t.identity_basis,
    t.record_key,
    t.name_key,
    linked.name_key as linked_to_name
from takers as t
left join records as linked on t.linked_to = linked.record_key
where
    not coalesce({{ names_related('t.name_key', 'linked.name_key') }}, false)
    and not exists (
        select 1 from givers as g
        where g.supplier_id = t.supplier_id and {{ names_related('g.name_key', 't.name_key') }}
    )
