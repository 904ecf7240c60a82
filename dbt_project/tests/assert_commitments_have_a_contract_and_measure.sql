{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'fct_sv_commitment'}}}) }}
-- A commitment whose contract is not in the register, or whose measure is not in the framework,
-- adds nothing to any figure: reported so the partner can fix the reference.
select
    partner_code,
    contract_ref,
    measure_code
from {{ ref('int_sv__commitments_valued') }}
where not contract_found or not measure_found
