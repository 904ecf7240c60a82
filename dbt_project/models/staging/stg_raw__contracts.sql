select
    md5(partner_code || '|' || source_file_hash || '|' || cast(source_row_number as varchar)) as contract_id,
    partner_code, contract_ref, title, supplier_name, company_number, supplier_postcode,
    cast(award_date as date) as award_date,
    {{ financial_year('award_date') }} as financial_year,
    cast(start_date as date) as start_date,
    cast(end_date as date) as end_date,
    {{ pence_to_gbp('contract_value_pence') }} as contract_value_gbp,
    {{ pence_to_gbp('annual_value_pence') }} as annual_value_gbp,
    procurement_route, category,
    price_weight_pct, quality_weight_pct, sv_weight_pct,
    is_sme as is_sme_on_register,
    source_file, source_file_hash, cast(source_row_number as bigint) as source_row_number, load_id
from {{ source('raw', 'contracts') }}
