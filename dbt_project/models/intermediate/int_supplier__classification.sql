-- SME and VCSE flags per organisation, from the most trusted evidence any of its records carries:
-- 1 partner override, 2 registration evidence, 3 self-declaration on a tender (when that feed is
-- present), 4 partner supplier-list flag, 5 name heuristic. Ties: the most recent evidence, then
-- the source's name. Evidence of equal trust, date and source that disagrees (two records of one
-- partner's list, one SME and one not) gives false: a claim of SME or VCSE status needs evidence
-- that no equal evidence contradicts. Without that rule the pick fell to DuckDB's threads and a
-- flag could change between builds of the same inputs (sme-vcse-v3).
with links as (
    select
        record_key,
        supplier_id
    from {{ ref('stg_resolution__supplier_links') }}
),

records as (select * from {{ ref('stg_resolution__supplier_records') }}),

evidence as (
    select
        l.supplier_id,
        'vcse' as flag,
        o.is_vcse as value,
        1 as trust,
        'override: ' || o.reason as source,
        o.decided_on as as_of
    from {{ ref('stg_resolution__flag_overrides') }} as o inner join links as l using (record_key)
    where o.is_vcse is not null
    union all
    select
        l.supplier_id,
        'sme',
        o.is_sme,
        1,
        'override: ' || o.reason,
        o.decided_on
    from {{ ref('stg_resolution__flag_overrides') }} as o inner join links as l using (record_key)
    where o.is_sme is not null
    union all
    select
        l.supplier_id,
        'vcse',
        true,
        2,
        'registration:' || r.registration_vcse_evidence,
        r.evidence_date
    from records as r inner join links as l using (record_key)
    where r.registration_vcse_evidence is not null
    union all
    select
        l.supplier_id,
        'vcse',
        r.is_vcse_declared,
        3,
        'self_declared_on_bid:' || r.partner_code,
        r.evidence_date
    from records as r inner join links as l using (record_key)
    where r.is_vcse_declared is not null
    union all
    select
        l.supplier_id,
        'sme',
        r.is_sme_declared,
        3,
        'self_declared_on_bid:' || r.partner_code,
        r.evidence_date
    from records as r inner join links as l using (record_key)
    where r.is_sme_declared is not null
    union all
    select
        l.supplier_id,
        'vcse',
        r.is_vcse,
        4,
        'partner_supplier_list:' || r.partner_code,
        r.evidence_date
    from records as r inner join links as l using (record_key)
    where r.is_vcse is not null
    union all
    select
        l.supplier_id,
        'sme',
        r.is_sme,
        4,
        'partner_supplier_list:' || r.partner_code,
        r.evidence_date
    from records as r inner join links as l using (record_key)
    where r.is_sme is not null
    union all
    select
        l.supplier_id,
        'vcse',
        true,
        5,
        'name_heuristic:' || r.name_vcse_evidence,
        r.evidence_date
    from records as r inner join links as l using (record_key)
    where r.name_vcse_evidence is not null
),

best as (
    select
        *,
        row_number() over (partition by supplier_id, flag order by trust asc, as_of desc nulls last, source asc, value asc) as position
    from evidence
)

select
    s.supplier_id,
    sme.value as is_sme,
    sme.source as sme_source,
    sme.as_of as sme_as_of,
    vcse.value as is_vcse,
    vcse.source as vcse_source,
    vcse.as_of as vcse_as_of,
    (select rule_version from {{ ref('stg_reference__supplier_classification_rule') }}) as classification_rule_version
from (select distinct supplier_id from links) as s
left join best as sme on s.supplier_id = sme.supplier_id and sme.flag = 'sme' and sme.position = 1
left join best as vcse on s.supplier_id = vcse.supplier_id and vcse.flag = 'vcse' and vcse.position = 1
