select
    postcode,
    split_part(postcode, ' ', 1) as postcode_district,
    lad_code,
    ward_code,
    is_terminated,
    oa21_code,
    lsoa21_code,
    lsoa11_code,
    lsoa_source
from {{ source('reference', 'postcodes') }}
