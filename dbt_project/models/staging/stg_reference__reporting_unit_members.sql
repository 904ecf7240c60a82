select
    reporting_unit,
    reporting_unit_type,
    partner_code
from {{ source('reference', 'reporting_unit_members') }}
