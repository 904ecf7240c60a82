select record_key, supplier_id, link_method, cast(link_score as double) as link_score, linked_to, identity_basis
from {{ source('resolution', 'supplier_links') }}
