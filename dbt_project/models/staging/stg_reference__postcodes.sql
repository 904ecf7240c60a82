select
    postcode,
    split_part(postcode, ' ', 1) as postcode_district,
    lad_code,
    ward_code,
    is_terminated
from {{ source('reference', 'postcodes') }}
