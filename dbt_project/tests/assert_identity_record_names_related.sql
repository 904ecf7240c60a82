{{ config(meta={'dagster': {'ref': {'name': 'dim_supplier'}}}) }}
-- One ledger record (a partner's vendor ID, or a payee name where there is none) stands for one
-- organisation. A vendor ID may carry a rename or a trading name that shares no word with its main
-- name (config/rules.yml identity_checks.max_unrelated_names_per_record), but a record carrying more
-- is not an organisation: a shared 'sundry' account, a filler ID, or missing IDs read as one value
-- (every payee of a partner keyed 'ref:nan' once became one supplier and was published).
-- Fails with the record, its main name, how many names share nothing with it, and an example.
with rule as (
    select max_unrelated_names_per_record as allowed
    from {{ ref('stg_reference__identity_check_rule') }}
),

names as (
    select
        record_key,
        partner_code,
        name_key,
        sum(payments) as payments
    from {{ ref('stg_resolution__payee_records') }}
    where name_key is not null
    group by all
),

main as (
    select
        record_key,
        arg_max(name_key, payments * 1e6 + length(name_key)) as main_name
    from names
    group by all
),

unrelated as (
    select
        n.record_key,
        n.partner_code,
        m.main_name,
        n.name_key
    from names as n
    inner join main as m using (record_key)
    where
        n.name_key <> m.main_name
        and not {{ names_related('n.name_key', 'm.main_name') }}
)

select
    record_key,
    partner_code,
    main_name,
    count(*) as unrelated_names,
    min(name_key) as example_unrelated_name
from unrelated
group by all
having count(*) > (select allowed from rule)
