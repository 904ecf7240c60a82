select record_key, cast(is_sme as boolean) as is_sme, cast(is_vcse as boolean) as is_vcse, reason,
       try_cast(nullif(decided_on, '') as date) as decided_on, overrides_version
from {{ source('resolution', 'flag_overrides') }}
