-- The reference registers supplied to this build (ingestion/registers, docs/registers.md): one row
-- each, with the version every link it made carries (stg_resolution__supplier_links.register_version).
-- No register supplied: no rows.
select
    cast(register as varchar) as register,
    cast(register_version as varchar) as register_version,
    cast(version_date as date) as version_date,
    cast(version_source as varchar) as version_source,
    cast(files as varchar) as files,
    cast(rows_read as bigint) as rows_read,
    cast(entities as bigint) as entities,
    cast(sites as bigint) as sites
from {{ source('registers', 'register_versions') }}
