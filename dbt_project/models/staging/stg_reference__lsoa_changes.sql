select
    cast(lsoa11_code as varchar) as lsoa11_code,
    cast(lsoa21_code as varchar) as lsoa21_code,
    cast(change_code as varchar) as change_code
from {{ source('reference', 'lsoa_changes') }}
