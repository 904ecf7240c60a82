-- Dated supplier facts as loaded (ingestion/attributes.py): one row per fact, with its lineage.
-- valid_from / valid_to are the first day of the period the partner wrote (a day, a month or a
-- year: *_precision); how a partial date counts is decided in int_supplier__attribute_facts.
select
    md5(partner_code || '|' || source_file_hash || '|' || cast(source_row_number as varchar)) as fact_id,
    cast(partner_code as varchar) as partner_code,
    cast(organisation_name as varchar) as organisation_name,
    cast(company_number as varchar) as company_number,
    cast(charity_number as varchar) as charity_number,
    cast(scheme as varchar) as scheme_as_given,
    cast(scheme_status as varchar) as scheme_status,
    cast(scheme_code as varchar) as scheme_code,
    cast(valid_from as date) as valid_from,
    cast(valid_from_precision as varchar) as valid_from_precision,
    cast(valid_to as date) as valid_to,
    cast(valid_to_precision as varchar) as valid_to_precision,
    cast(confirmed as boolean) as is_confirmed,
    cast(confirmed_basis as varchar) as confirmed_basis,
    cast(evidence_url as varchar) as evidence_url,
    cast(evidence_note as varchar) as evidence_note,
    cast(source as varchar) as source,
    source_file,
    source_file_hash,
    cast(source_row_number as bigint) as source_row_number,
    load_id
from {{ source('raw', 'supplier_attributes') }}
