select
    partner_code,
    partner_name,
    partner_type,
    home_lad_codes,
    groups
from {{ ref('stg_reference__partners') }}
