-- Every field of LocalSpendRule (ingestion/registry.py) is a column here, named as in
-- config/rules.yml (version as rule_version): ingestion/reference.py writes the table from the
-- fields, so a new rule parameter needs no edit in this file. address_rule also names the order
-- it applies (address_preference), so the rule a figure was located by reads whole.
select * replace (address_rule || ':' || array_to_string(address_preference, '>') as address_rule)
from {{ source('reference', 'local_spend_rule') }}
