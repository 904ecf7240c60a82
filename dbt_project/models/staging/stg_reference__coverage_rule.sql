select
    cast(rule_version as varchar) as rule_version,
    cast(min_located_spend_pct as double) as min_located_spend_pct,
    cast(min_recent_return_pct as double) as min_recent_return_pct,
    cast(delivery_return_window_months as integer) as delivery_return_window_months
from {{ source('reference', 'coverage_rule') }}
