select * from {{ source('reference', 'social_value_rule') }}
