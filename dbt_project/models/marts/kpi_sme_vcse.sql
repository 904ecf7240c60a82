-- Share of bids received, and of awards made, whose bidder declared itself an SME / a VCSE
-- (rules: bid_status_source = bid_declaration); bids decided in the financial year.
with rule as (select * from {{ ref('stg_reference__social_value_rule') }})

select
    cast(m.reporting_unit as varchar) as reporting_unit,
    cast(m.reporting_unit_type as varchar) as reporting_unit_type,
    cast(b.financial_year as varchar) as financial_year,
    cast(count(*) as bigint) as bids_count,
    cast(round(100.0 * count(*) filter (where b.is_sme_declared) / count(*), 2) as decimal(5, 2)) as sme_bids_pct,
    cast(round(100.0 * count(*) filter (where b.is_vcse_declared) / count(*), 2) as decimal(5, 2)) as vcse_bids_pct,
    cast(count(*) filter (where b.is_winner) as bigint) as awards_count,
    cast(round(
        100.0 * count(*) filter (where b.is_winner and b.is_sme_declared)
        / nullif(count(*) filter (where b.is_winner), 0), 2
    ) as decimal(5, 2
    )) as sme_awards_pct,
    cast(round(
        100.0 * count(*) filter (where b.is_winner and b.is_vcse_declared)
        / nullif(count(*) filter (where b.is_winner), 0), 2
    ) as decimal(5, 2
    )) as vcse_awards_pct,
    cast(max(rule.rule_version) as varchar) as rule_version
from {{ ref('fct_bid') }} as b
cross join rule
inner join {{ ref('stg_reference__reporting_unit_members') }} as m on b.partner_code = m.partner_code
group by 1, 2, 3
