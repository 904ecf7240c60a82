-- Every field of the section's dataclass (ingestion/registry.py) is a column here, named as in
-- config/rules.yml (version as rule_version): ingestion/reference.py writes the table from the
-- fields, so a new rule parameter needs no edit in this file.
select * from {{ source('reference', 'contract_performance_rule') }}
