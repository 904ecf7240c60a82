select
    reporting_unit,
    lad_code
from {{ source('reference', 'reporting_unit_home_lads') }}
