-- One row per partner x contract reference (a register may list extensions under the same
-- reference): the earliest award decides the framework edition that values its commitments.
select *
from (
    select
        *,
        row_number() over (
            partition by partner_code, contract_ref
            order by award_date, source_row_number
        ) as position
    from {{ ref('stg_raw__contracts') }}
)
where position = 1
