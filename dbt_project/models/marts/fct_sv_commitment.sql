select * from {{ ref('int_sv__commitments_valued') }}
