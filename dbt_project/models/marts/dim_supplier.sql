-- One row per organisation across GM (supplier_id), plus one nameless pool of redacted payees per
-- partner. Every attribute says where it came from.
with records as (
    select
        r.*,
        l.supplier_id,
        l.identity_basis,
        l.matching_rule_version
    from {{ ref('stg_resolution__supplier_records') }} as r
    inner join {{ ref('stg_resolution__supplier_links') }} as l using (record_key)
),

named as (
    select
        supplier_id,
        -- the name as a partner's supplier list writes it, the most common such name first; names
        -- of equal weight in alphabetical order, and the source of the name chosen (the first of its
        -- records in that order), so that a build gives the same name and source every time (two
        -- arg_max calls broke ties each its own way: 74,002 of 201,033 sources at 10M ledger lines
        -- differed between two builds of one raw layer, some naming a record of another name)
        first(supplier_name order by sort_weight desc, supplier_name asc) as supplier_name,
        first(
            origin || ':' || coalesce(partner_code, register)
            order by sort_weight desc, supplier_name asc, origin || ':' || coalesce(partner_code, register) asc
        ) as name_source,
        max(company_number) as company_number,
        max(charity_number) as charity_number,
        max(vat_number) as vat_number,
        max(identity_basis) as identity_basis,
        max(matching_rule_version) as matching_rule_version,
        count(*) as record_count,
        string_agg(distinct partner_code, ',' order by partner_code) as partners
    from (
        select
            *,
            -- then the name a register gives the organisation (a care provider rather than one of its homes)
            (
                case
                    when origin = 'supplier_list' then 1000000
                    when origin = 'register_entity' then 500000
                    else 0
                end
            )
            + count(*) over (partition by supplier_id, supplier_name) as sort_weight
        from records
    )
    group by 1
),

redacted_pools as (
    select distinct
        partner_code || ':redacted' as supplier_id,
        partner_code
    from {{ ref('stg_raw__spend') }}
    where is_redacted
)

select
    n.supplier_id,
    n.supplier_name,
    n.name_source,
    false as is_redacted_pool,
    loc.postcode,
    loc.lad_code,
    lad.lad_name,
    loc.ward_code,
    loc.in_gm,
    loc.location_precision,
    loc.location_source,
    loc.location_address_type,
    c.is_sme,
    c.sme_source,
    c.sme_as_of,
    c.is_vcse,
    c.vcse_source,
    c.vcse_as_of,
    n.company_number,
    n.charity_number,
    n.vat_number,
    n.identity_basis,
    n.record_count,
    n.partners,
    (select rule_version from {{ ref('stg_reference__local_spend_rule') }}) as location_rule_version,
    c.classification_rule_version,
    n.matching_rule_version
from named as n
left join {{ ref('int_supplier__location') }} as loc using (supplier_id)
left join {{ ref('int_supplier__classification') }} as c using (supplier_id)
left join {{ ref('stg_reference__lads') }} as lad on loc.lad_code = lad.lad_code

union all

select
    supplier_id,
    null,
    null,
    true,
    null,
    null,
    null,
    null,
    null,
    'unknown',
    'redacted_payee',
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    'redacted_pool',
    null,
    partner_code,
    (select rule_version from {{ ref('stg_reference__local_spend_rule') }}),
    (select rule_version from {{ ref('stg_reference__supplier_classification_rule') }}),
    null  -- a pool of redacted payees is not matched by name
from redacted_pools
