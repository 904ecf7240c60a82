select
    theme,
    outcome,
    gm_priority,
    cast(rank as integer) as priority_rank
from {{ source('reference', 'gm_priorities') }}
