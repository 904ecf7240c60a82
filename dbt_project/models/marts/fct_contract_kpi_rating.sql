-- Contract performance over time: every UK9 rating of every UK7 KPI, per contract and period.
select
    rating_id,
    partner_code as reporting_unit,
    'partner' as reporting_unit_type,
    financial_year,
    ocid,
    contract_ref,
    contract_id,
    is_on_register,
    kpi_id,
    kpi_title,
    kpi_target,
    is_agreed_kpi,
    observation_id,
    period_start,
    period_end,
    rating,
    rating_label,
    source_file,
    source_row_number,
    rule_version
from {{ ref('int_contract__kpi_ratings') }}
