-- The contract-management alert list: each contract's committed social value, what has been
-- delivered to date, and a RAG status against the share of its term that has elapsed.
select
    d.partner_code as reporting_unit,
    'partner' as reporting_unit_type,
    d.financial_year,
    d.contract_id,
    d.contract_ref,
    d.title,
    d.supplier_name,
    d.start_date,
    d.end_date,
    cast(d.committed_gbp as decimal(18, 2)) as committed_gbp,
    cast(d.delivered_gbp as decimal(18, 2)) as delivered_gbp,
    cast(d.delivered_gbp_current_edition as decimal(18, 2)) as delivered_gbp_current_edition,
    d.delivery_pct,
    d.elapsed_pct,
    d.rag_status,
    d.as_of_date,
    d.latest_return,
    d.record_only_measures,
    d.rule_version
from {{ ref('int_sv__contract_delivery') }} as d
