-- Each LSOA has one set of deciles per edition of the Indices of Deprivation.
select
    edition,
    lsoa_code,
    count(*) as rows_for_lsoa
from {{ ref('stg_reference__deprivation') }}
group by 1, 2
having count(*) > 1
