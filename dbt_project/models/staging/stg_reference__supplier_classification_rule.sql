select rule_version from {{ source('reference', 'supplier_classification_rule') }}
