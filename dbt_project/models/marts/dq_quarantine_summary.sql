-- Rows kept out of every figure, and the £ they hold: per partner, feed, financial year, file and
-- the checks they failed. The £ is the amount parsed at load (exact pence), where it was readable.
select
    partner_code,
    feed,
    financial_year,
    period,
    source_file,
    checks,
    reason,
    fix,
    count(*) as rows_quarantined,
    count(amount_pence) as rows_with_amount,
    {{ pence_to_gbp('coalesce(sum(amount_pence), 0)') }} as amount_gbp
from {{ ref('stg_raw__quarantine') }}
group by partner_code, feed, financial_year, period, source_file, checks, reason, fix
