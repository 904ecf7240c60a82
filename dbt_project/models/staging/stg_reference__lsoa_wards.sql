select
    cast(lsoa21_code as varchar) as lsoa21_code,
    cast(ward_code as varchar) as ward_code,
    cast(ward_name as varchar) as ward_name,
    cast(lad_code as varchar) as lad_code
from {{ source('reference', 'lsoa_wards') }}
