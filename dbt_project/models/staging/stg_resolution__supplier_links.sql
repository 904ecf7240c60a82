select
    cast(record_key as varchar) as record_key,
    cast(supplier_id as varchar) as supplier_id,
    cast(link_method as varchar) as link_method,
    cast(link_score as double) as link_score,
    cast(linked_to as varchar) as linked_to,
    cast(identity_basis as varchar) as identity_basis,
    cast(carries_identity_number as boolean) as carries_identity_number,
    cast(matching_rule_version as varchar) as matching_rule_version,
    -- the reference register (and its file's date) that made the link, when one did (ingestion/registers)
    cast(register_version as varchar) as register_version
from {{ source('resolution', 'supplier_links') }}
