select
    partner_code,
    partner_name,
    partner_type,
    home_lad_codes,
    groups
from {{ source('reference', 'partners') }}
