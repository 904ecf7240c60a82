-- The schemes a supplier fact may name (config/schemes.yml), with the list's version.
select
    cast(scheme_code as varchar) as scheme_code,
    cast(scheme_name as varchar) as scheme_name,
    cast(scheme_order as integer) as scheme_order,
    cast(schemes_version as varchar) as schemes_version
from {{ source('reference', 'schemes') }}
