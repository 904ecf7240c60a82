-- Each supplier fact -> the organisation(s) it names (ingestion/resolution/attributes.py): by company
-- number, then charity number, then the resolution's name key; 'unmatched' facts keep one row with
-- no supplier_id.
select
    md5(partner_code || '|' || source_file_hash || '|' || cast(source_row_number as varchar)) as fact_id,
    cast(supplier_id as varchar) as supplier_id,
    cast(match_method as varchar) as match_method,
    cast(fact_name_key as varchar) as fact_name_key,
    cast(matched_suppliers as integer) as matched_suppliers
from {{ source('resolution', 'attribute_links') }}
