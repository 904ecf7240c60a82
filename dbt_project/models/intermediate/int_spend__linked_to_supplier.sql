-- Each payment with the organisation it was paid to (resolved GM-wide by ingestion/resolution).
-- Redacted payees are pooled into one nameless pseudo-supplier per partner
-- (rules: redacted_payees = pooled_per_partner).
select
    spend.*,
    case when spend.is_redacted then spend.partner_code || ':redacted' else links.supplier_id end as supplier_key,
    case when spend.is_redacted then 'redacted_pool' else links.link_method end as supplier_link_method,
    payees.record_key
from {{ ref('stg_raw__spend') }} as spend
left join {{ ref('stg_resolution__payee_records') }} as payees
    on
        not spend.is_redacted
        and spend.partner_code = payees.partner_code
        and payees.supplier_ref is not distinct from spend.supplier_ref
        and spend.supplier_name = payees.supplier_name
left join {{ ref('stg_resolution__supplier_links') }} as links on payees.record_key = links.record_key
