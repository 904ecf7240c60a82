select
    cast(edition as varchar) as edition,
    cast(title as varchar) as edition_title,
    cast(publisher as varchar) as publisher,
    cast(published as date) as published_on,
    cast(lsoa_vintage as varchar) as lsoa_vintage,
    cast(file as varchar) as source_file,
    cast(file_sha256 as varchar) as source_sha256,
    cast(lsoa_count as integer) as lsoa_count
from {{ source('reference', 'deprivation_editions') }}
