select
    address_type,
    cast(preference_rank as integer) as preference_rank
from {{ source('reference', 'address_preference') }}
