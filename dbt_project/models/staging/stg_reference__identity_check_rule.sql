select
    cast(rule_version as varchar) as rule_version,
    cast(max_unrelated_names_per_record as integer) as max_unrelated_names_per_record,
    cast(max_in_scope_gap_pct as double) as max_in_scope_gap_pct
from {{ source('reference', 'identity_check_rule') }}
