-- Each payment linked to the partner's supplier record: by supplier reference, else by an exact
-- normalised name (only where that name is unique in the partner's list). Redacted payees are
-- pooled into one pseudo-supplier per partner (rules: redacted_payees = pooled_per_partner).
with suppliers as (
    select * from {{ ref('int_supplier__located') }}
),

unique_names as (
    select partner_code, supplier_name_key, min(supplier_ref) as supplier_ref
    from suppliers
    group by 1, 2
    having count(*) = 1
),

spend as (
    select *, {{ name_key('supplier_name') }} as supplier_name_key
    from {{ ref('stg_raw__spend') }}
)

select
    spend.*,
    case
        when spend.is_redacted then spend.partner_code || ':redacted'
        when by_ref.supplier_ref is not null then spend.partner_code || ':ref:' || by_ref.supplier_ref
        when by_name.supplier_ref is not null then spend.partner_code || ':ref:' || by_name.supplier_ref
        else spend.partner_code || ':name:' || spend.supplier_name_key
    end as supplier_key,
    case
        when spend.is_redacted then 'redacted_pool'
        when by_ref.supplier_ref is not null then 'supplier_ref'
        when by_name.supplier_ref is not null then 'exact_name'
        else 'not_in_supplier_list'
    end as supplier_link_method
from spend
left join suppliers as by_ref
    on not spend.is_redacted
    and by_ref.partner_code = spend.partner_code
    and by_ref.supplier_ref = spend.supplier_ref
left join unique_names as by_name
    on not spend.is_redacted
    and by_ref.supplier_ref is null
    and by_name.partner_code = spend.partner_code
    and by_name.supplier_name_key = spend.supplier_name_key
