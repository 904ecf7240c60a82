-- Where a partner's payment performance for a year comes from more than one source, the sources
-- side by side and their difference (issue 17). Today: invoice-level records against the partner's
-- own regulation 113 summary; a UK8 notice would be a third column pair.
with p as (
    select * from {{ ref('kpi_payment_performance') }}
    where supplier_segment = 'all'
)

select
    i.partner_code,
    i.financial_year,
    i.invoices_paid as invoice_level_invoices,
    s.invoices_paid as summary_invoices,
    i.pct_paid_within_30_days as invoice_level_pct,
    s.pct_paid_within_30_days as summary_pct,
    cast(s.pct_paid_within_30_days - i.pct_paid_within_30_days as decimal(6, 2)) as pct_difference_points,
    i.avg_days_to_pay as invoice_level_avg_days,
    s.avg_days_to_pay as summary_avg_days,
    cast(s.avg_days_to_pay - i.avg_days_to_pay as decimal(8, 2)) as avg_days_difference,
    i.interest_paid_gbp as invoice_level_interest_paid_gbp,
    s.interest_paid_gbp as summary_interest_paid_gbp,
    cast(s.interest_paid_gbp - i.interest_paid_gbp as decimal(18, 2)) as interest_paid_difference_gbp,
    i.rule_version
from p as i
inner join p as s
    on i.partner_code = s.partner_code and i.financial_year = s.financial_year and s.source = 'reg113_summary'
where i.source = 'invoice_level'
