-- Every field of DeprivationRule (ingestion/registry.py), named as in config/rules.yml.
select * from {{ source('reference', 'deprivation_rule') }}
