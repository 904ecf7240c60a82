-- One row per supplier as each partner knows it (supplier_id = partner-scoped key), located.
-- The redacted pool of each partner is a supplier without name or location, by design.
with linked as (
    select
        supplier_key,
        partner_code,
        supplier_link_method,
        max(supplier_ref) as supplier_ref,
        max(supplier_name) as ledger_name
    from {{ ref('int_spend__linked_to_supplier') }}
    group by 1, 2, 3
),

listed as (
    select partner_code || ':ref:' || supplier_ref as supplier_key, *
    from {{ ref('int_supplier__located') }}
)

select
    coalesce(listed.supplier_key, linked.supplier_key) as supplier_id,
    coalesce(listed.partner_code, linked.partner_code) as partner_code,
    coalesce(listed.supplier_ref, linked.supplier_ref) as supplier_ref,
    case when linked.supplier_link_method = 'redacted_pool' then null
         else coalesce(listed.supplier_name, linked.ledger_name) end as supplier_name,
    coalesce(linked.supplier_link_method = 'redacted_pool', false) as is_redacted_pool,
    listed.postcode,
    listed.lad_code,
    listed.lad_name,
    listed.in_gm,
    listed.company_number,
    listed.charity_number,
    listed.vat_number,
    case
        when linked.supplier_link_method = 'redacted_pool' then 'redacted_payee'
        when listed.supplier_key is null then 'not_in_supplier_list'
        else listed.location_source
    end as location_source,
    listed.supplier_key is not null as is_in_supplier_list
from listed
full outer join (
    select supplier_key, partner_code, supplier_ref, ledger_name, supplier_link_method
    from linked
    where supplier_link_method in ('redacted_pool', 'not_in_supplier_list')
) as linked
    on linked.supplier_key = listed.supplier_key
