select
    cast(edition as varchar) as edition,
    cast(lsoa_vintage as varchar) as lsoa_vintage,
    cast(lsoa_code as varchar) as lsoa_code,
    cast(imd_decile as integer) as imd_decile,
    cast(income_decile as integer) as income_decile,
    cast(employment_decile as integer) as employment_decile
from {{ source('reference', 'deprivation') }}
