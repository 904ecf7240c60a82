-- The in-scope test of the local-spend rule, per partner and financial year, computed twice: on the
-- resolved suppliers (int_spend__supplier_year) and on a plain name key (the payee name as written,
-- case and runs of spaces ignored; redacted payees pooled as in the KPI). Resolution joins a
-- supplier's spellings, sites and numbers, so the two differ a little; a large gap means resolution
-- went wrong (every payee of a partner once became one supplier, which put all its spend in scope)
-- and blocks publication (tests/assert_identity_in_scope_spend_near_name_key.sql).
with thresholds as (  -- the threshold the rule applied to each partner-year (part years included)
    select
        partner_code,
        financial_year,
        max(applied_threshold_gbp) as threshold_gbp
    from {{ ref('int_spend__supplier_year') }}
    group by all
),

-- Each spelling summed first, then keyed: the key is a function of the spelling, so the sums are
-- the same (amounts are DECIMAL, exact in any order), and the regular expression runs once per
-- spelling instead of once per ledger line (at 10M lines, 4.8M spellings: 9.7 s -> 6.4 s).
by_spelling as (
    select
        partner_code,
        financial_year,
        is_redacted,
        supplier_name,
        sum(amount_gbp) as net_spend_gbp
    from {{ ref('int_spend__linked_to_supplier') }}
    group by all
),

by_name as (
    select
        partner_code,
        financial_year,
        case
            when is_redacted then partner_code || ':redacted'
            else partner_code || ':' || upper(regexp_replace(trim(supplier_name), '\s+', ' ', 'g'))
        end as name_key,
        sum(net_spend_gbp) as net_spend_gbp
    from by_spelling
    group by all
),

name_key_in_scope as (
    select
        b.partner_code,
        b.financial_year,
        sum(b.net_spend_gbp) filter (where b.net_spend_gbp >= t.threshold_gbp) as in_scope_spend_gbp,
        count(*) filter (where b.net_spend_gbp >= t.threshold_gbp) as in_scope_suppliers,
        count(*) as suppliers
    from by_name as b
    inner join thresholds as t using (partner_code, financial_year)
    group by all
),

resolved_in_scope as (
    select
        partner_code,
        financial_year,
        sum(net_spend_gbp) filter (where is_in_scope) as in_scope_spend_gbp,
        count(*) filter (where is_in_scope) as in_scope_suppliers,
        count(*) as suppliers
    from {{ ref('int_spend__supplier_year') }}
    group by all
)

select
    n.partner_code,
    n.financial_year,
    coalesce(r.in_scope_spend_gbp, 0) as resolved_in_scope_spend_gbp,
    coalesce(n.in_scope_spend_gbp, 0) as name_key_in_scope_spend_gbp,
    coalesce(r.in_scope_suppliers, 0) as resolved_in_scope_suppliers,
    n.in_scope_suppliers as name_key_in_scope_suppliers,
    coalesce(r.suppliers, 0) as resolved_suppliers,
    n.suppliers as name_key_suppliers,
    case
        when coalesce(n.in_scope_spend_gbp, 0) = 0
            then case when coalesce(r.in_scope_spend_gbp, 0) = 0 then 0 end
        else 100 * (coalesce(r.in_scope_spend_gbp, 0) - n.in_scope_spend_gbp) / n.in_scope_spend_gbp
    end as in_scope_gap_pct
from name_key_in_scope as n
left join resolved_in_scope as r using (partner_code, financial_year)
