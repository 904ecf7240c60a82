select
    cast(oa21_code as varchar) as oa21_code,
    cast(lsoa21_code as varchar) as lsoa21_code
from {{ source('reference', 'output_areas') }}
