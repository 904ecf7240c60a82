select
    cast(record_key as varchar) as record_key,
    cast(is_sme as boolean) as is_sme,
    cast(is_vcse as boolean) as is_vcse,
    cast(reason as varchar) as reason,
    try_cast(nullif(cast(decided_on as varchar), '') as date) as decided_on,
    cast(overrides_version as varchar) as overrides_version
from {{ source('resolution', 'flag_overrides') }}
