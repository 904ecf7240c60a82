select
    rule_version,
    threshold_gbp,
    threshold_basis,
    share_denominator,
    address_rule,
    district_fallback,
    redacted_payees,
    part_year_threshold
from {{ source('reference', 'local_spend_rule') }}
