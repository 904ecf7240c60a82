-- Share of in-scope spend with SMEs and with VCSEs, per reporting unit (a partner, or a group such
-- as STAR or GM) and financial year. In scope exactly as the local-spend rule decides it
-- (int_spend__supplier_year.is_in_scope), so in_scope_spend_gbp is kpi_local_spend's; a supplier's
-- SME and VCSE status is dim_supplier's, from the most trusted evidence any of its records carries
-- (sme_source / vcse_source: override > registration > tender self-declaration > partner list > name).
-- Unknown is not zero: spend with a supplier no record classifies (and every redacted payee) is
-- counted as unclassified, never as not-SME, and its share is published beside each share; the
-- unknown part is said in words (never rounded to "0.0%" or "100.0%" unless it is none or all).
with rule as (
    select * from {{ ref('stg_reference__local_spend_rule') }}
),

classification_rule as (
    select * from {{ ref('stg_reference__supplier_classification_rule') }}
),

classified as (
    select
        m.reporting_unit,
        m.reporting_unit_type,
        s.financial_year,
        s.net_spend_gbp,
        d.is_sme,
        d.is_vcse
    from {{ ref('int_spend__supplier_year') }} as s
    inner join {{ ref('stg_reference__reporting_unit_members') }} as m
        on s.partner_code = m.partner_code
    left join {{ ref('dim_supplier') }} as d
        on s.supplier_key = d.supplier_id
    where s.is_in_scope
),

totals as (
    select
        reporting_unit,
        reporting_unit_type,
        financial_year,
        sum(net_spend_gbp) as in_scope_spend_gbp,
        coalesce(sum(net_spend_gbp) filter (where is_sme), 0) as sme_spend_gbp,
        coalesce(sum(net_spend_gbp) filter (where not is_sme), 0) as not_sme_spend_gbp,
        coalesce(sum(net_spend_gbp) filter (where is_sme is null), 0) as sme_unclassified_spend_gbp,
        coalesce(sum(net_spend_gbp) filter (where is_vcse), 0) as vcse_spend_gbp,
        coalesce(sum(net_spend_gbp) filter (where not is_vcse), 0) as not_vcse_spend_gbp,
        coalesce(sum(net_spend_gbp) filter (where is_vcse is null), 0) as vcse_unclassified_spend_gbp
    from classified
    group by 1, 2, 3
),

shares as (
    select
        totals.*,
        round(100 * totals.sme_spend_gbp / nullif(totals.in_scope_spend_gbp, 0), 2) as sme_share_pct,
        round(100 * totals.sme_unclassified_spend_gbp / nullif(totals.in_scope_spend_gbp, 0), 2) as sme_unclassified_pct,
        round(100 * totals.vcse_spend_gbp / nullif(totals.in_scope_spend_gbp, 0), 2) as vcse_share_pct,
        round(100 * totals.vcse_unclassified_spend_gbp / nullif(totals.in_scope_spend_gbp, 0), 2) as vcse_unclassified_pct,
        -- a share is stated only when some in-scope spend has a known status: over spend that no
        -- record classifies, a 0.0% share would read as a measurement
        coalesce(totals.sme_unclassified_spend_gbp < totals.in_scope_spend_gbp, false) as sme_share_known,
        coalesce(totals.vcse_unclassified_spend_gbp < totals.in_scope_spend_gbp, false) as vcse_share_known
    from totals
)

select
    cast(t.reporting_unit as varchar) as reporting_unit,
    cast(t.reporting_unit_type as varchar) as reporting_unit_type,
    cast(t.financial_year as varchar) as financial_year,
    cast(t.in_scope_spend_gbp as decimal(18, 2)) as in_scope_spend_gbp,
    cast(t.sme_spend_gbp as decimal(18, 2)) as sme_spend_gbp,
    cast(t.not_sme_spend_gbp as decimal(18, 2)) as not_sme_spend_gbp,
    cast(t.sme_unclassified_spend_gbp as decimal(18, 2)) as sme_unclassified_spend_gbp,
    cast(t.sme_share_pct as decimal(5, 2)) as sme_share_pct,
    cast(t.sme_unclassified_pct as decimal(5, 2)) as sme_unclassified_pct,
    t.sme_share_known,
    cast(case
        when t.sme_share_known then printf('%.1f%%', cast(t.sme_share_pct as double))
        else 'not yet known (no in-scope spend classified)'
    end as varchar) as sme_share_display,
    cast(case
        when t.sme_unclassified_spend_gbp = 0 then 'SME status known for all in-scope spend'
        when not t.sme_share_known then 'SME status unknown for all in-scope spend'
        else
            'SME status unknown for '
            || printf('%.1f', least(greatest(t.sme_unclassified_pct, 0.1), 99.9))
            || '% of in-scope spend (counted neither as SME nor as not)'
    end as varchar) as sme_unclassified_note,
    cast(t.vcse_spend_gbp as decimal(18, 2)) as vcse_spend_gbp,
    cast(t.not_vcse_spend_gbp as decimal(18, 2)) as not_vcse_spend_gbp,
    cast(t.vcse_unclassified_spend_gbp as decimal(18, 2)) as vcse_unclassified_spend_gbp,
    cast(t.vcse_share_pct as decimal(5, 2)) as vcse_share_pct,
    cast(t.vcse_unclassified_pct as decimal(5, 2)) as vcse_unclassified_pct,
    t.vcse_share_known,
    cast(case
        when t.vcse_share_known then printf('%.1f%%', cast(t.vcse_share_pct as double))
        else 'not yet known (no in-scope spend classified)'
    end as varchar) as vcse_share_display,
    cast(case
        when t.vcse_unclassified_spend_gbp = 0 then 'VCSE status known for all in-scope spend'
        when not t.vcse_share_known then 'VCSE status unknown for all in-scope spend'
        else
            'VCSE status unknown for '
            || printf('%.1f', least(greatest(t.vcse_unclassified_pct, 0.1), 99.9))
            || '% of in-scope spend (counted neither as VCSE nor as not)'
    end as varchar) as vcse_unclassified_note,
    cast(rule.rule_version as varchar) as rule_version,
    cast(cr.rule_version as varchar) as classification_rule_version,
    coalesce(mo.is_partial_year, false) as is_partial_year,
    cast(mo.partial_year_note as varchar) as partial_year_note
from shares as t
cross join rule
cross join classification_rule as cr
left join {{ ref('int_spend__months_covered') }} as mo
    on t.reporting_unit = mo.reporting_unit and t.financial_year = mo.financial_year
