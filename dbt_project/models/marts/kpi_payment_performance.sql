-- Payment performance per partner, financial year, source and supplier segment (issue 17;
-- docs/payment-performance-svmi-lm3.md). Two sources today, one row shape for both:
--   invoice_level   a partner's invoice records: share of valid (undisputed) invoices paid within
--                   the prompt-payment days, average days to pay, interest paid; also per SME and
--                   VCSE supplier (flags from dim_supplier), since prompt payment matters most to them
--   reg113_summary  the yearly figures the partner publishes under PCR 2015 reg. 113 (segment all)
-- A third source (Procurement Act UK8 payments compliance notices, six-monthly) joins as rows with
-- source 'uk8_notice' and its own period_start / period_end; nothing else changes.
with rule as (
    select * from {{ ref('stg_reference__payment_performance_rule') }}
),

supplier_of_ref as (
    -- the partner's own supplier reference -> the resolved organisation (supplier list first,
    -- then the ledger's payees), one organisation per reference
    select
        partner_code,
        supplier_ref,
        supplier_id
    from (
        select
            r.partner_code,
            r.supplier_ref,
            l.supplier_id,
            row_number() over (
                partition by r.partner_code, r.supplier_ref
                order by case when r.origin = 'supplier_list' then 0 else 1 end, l.supplier_id
            ) as pick
        from {{ ref('stg_resolution__supplier_records') }} as r
        inner join {{ ref('stg_resolution__supplier_links') }} as l on r.record_key = l.record_key
        where r.supplier_ref is not null
    )
    where pick = 1
),

invoices as (
    select
        i.*,
        d.is_sme,
        d.is_vcse,
        i.days_to_pay <= rule.prompt_payment_days as paid_within_terms
    from {{ ref('stg_raw__invoices') }} as i
    cross join rule
    left join supplier_of_ref as s on i.partner_code = s.partner_code and i.supplier_ref = s.supplier_ref
    left join {{ ref('dim_supplier') }} as d on s.supplier_id = d.supplier_id
    where rule.count_disputed_invoices or not i.is_disputed
),

segmented as (
    select
        *,
        'all' as supplier_segment
    from invoices
    union all
    select
        *,
        'sme' as supplier_segment
    from invoices
    where is_sme
    union all
    select
        *,
        'vcse' as supplier_segment
    from invoices
    where is_vcse
    union all
    select
        *,
        'neither_or_unknown' as supplier_segment
    from invoices
    where not coalesce(is_sme, false) and not coalesce(is_vcse, false)
),

invoice_level as (
    select
        partner_code,
        financial_year,
        'invoice_level' as source,
        supplier_segment,
        count(*) as invoices_paid,
        count(*) filter (where paid_within_terms) as invoices_paid_within_terms,
        count(*) filter (where not paid_within_terms) as invoices_paid_late,
        cast(round(100.0 * count(*) filter (where paid_within_terms) / count(*), 2) as decimal(5, 2)) as pct_paid_within_30_days,
        cast(round(avg(days_to_pay), 2) as decimal(8, 2)) as avg_days_to_pay,
        cast(sum(amount_gbp) as decimal(18, 2)) as invoiced_gbp,
        cast(coalesce(sum(interest_paid_gbp), 0) as decimal(18, 2)) as interest_paid_gbp,
        cast(null as decimal(18, 2)) as interest_liable_gbp,
        string_agg(distinct source_file, '; ') as source_files
    from segmented
    group by 1, 2, 3, 4
),

summaries as (
    select
        partner_code,
        financial_year,
        'reg113_summary' as source,
        'all' as supplier_segment,
        invoices_paid,
        invoices_paid - invoices_paid_late as invoices_paid_within_terms,
        invoices_paid_late,
        pct_paid_within_30_days,
        avg_days_to_pay,
        cast(null as decimal(18, 2)) as invoiced_gbp,
        interest_paid_gbp,
        interest_liable_gbp,
        source_file as source_files
    from {{ ref('stg_raw__payment_summary') }}
)

select
    u.partner_code,
    u.financial_year,
    u.source,
    u.supplier_segment,
    cast(cast(left(u.financial_year, 4) as integer) || '-04-01' as date) as period_start,
    cast(cast(left(u.financial_year, 4) as integer) + 1 || '-03-31' as date) as period_end,
    cast(u.invoices_paid as bigint) as invoices_paid,
    cast(u.invoices_paid_within_terms as bigint) as invoices_paid_within_terms,
    cast(u.invoices_paid_late as bigint) as invoices_paid_late,
    u.pct_paid_within_30_days,
    u.avg_days_to_pay,
    u.invoiced_gbp,
    u.interest_paid_gbp,
    u.interest_liable_gbp,
    u.source_files,
    cast(rule.prompt_payment_days as bigint) as prompt_payment_days,
    rule.rule_version
from (
    select * from invoice_level
    union all
    select * from summaries
) as u
cross join rule
