select
    lad_code,
    lad_name,
    cast(in_gm as boolean) as in_gm
from {{ source('reference', 'lads') }}
