select
    framework,
    edition,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to,
    upper(trim(measure_code)) as measure_code,
    theme,
    outcome,
    description,
    unit,
    cast(proxy_value_gbp as double) as proxy_value_gbp,
    is_record_only,
    is_illustrative,
    source_file
from {{ source('reference', 'framework_measures') }}
