select postcode, lad_code, is_terminated
from {{ source('reference', 'postcodes') }}
