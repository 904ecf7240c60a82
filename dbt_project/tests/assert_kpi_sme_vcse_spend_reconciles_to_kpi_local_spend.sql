{{ config(meta={'dagster': {'ref': {'name': 'kpi_sme_vcse_spend'}}}) }}
-- The SME/VCSE spend shares rest on exactly the local-spend rule's in-scope spend: one row for each
-- kpi_local_spend row with the same in-scope £ and rule version, and for SMEs and VCSEs alike the
-- classified, not-classified-as and unclassified £ add up to it (unknown is its own part, never zero).
-- The sample plants no SME/VCSE truth per supplier (only bidders' declarations), so this, not a
-- known answer, is the test of the figures.
select
    coalesce(s.reporting_unit, l.reporting_unit) as reporting_unit,
    coalesce(s.financial_year, l.financial_year) as financial_year
from {{ ref('kpi_sme_vcse_spend') }} as s
full outer join {{ ref('kpi_local_spend') }} as l
    on s.reporting_unit = l.reporting_unit and s.financial_year = l.financial_year
where
    s.reporting_unit is null
    or l.reporting_unit is null
    or s.in_scope_spend_gbp <> l.in_scope_spend_gbp
    or s.rule_version <> l.rule_version
    or s.is_partial_year <> l.is_partial_year
    or s.sme_spend_gbp + s.not_sme_spend_gbp + s.sme_unclassified_spend_gbp <> s.in_scope_spend_gbp
    or s.vcse_spend_gbp + s.not_vcse_spend_gbp + s.vcse_unclassified_spend_gbp <> s.in_scope_spend_gbp
