-- Each loaded supplier fact with the days it counts on and the organisation(s) it is matched to.
--
-- counts_from / counts_to: the first and last day the fact counts for a payment or an award
-- (inclusive; counts_to null: still held). A date given to the day counts as given. A month or a
-- year counts as supplier_attributes.partial_dates says: conservative (from the LAST day of the named
-- period, up to its FIRST day: only days the status is sure to have held) or whole_period.
with rule as (
    select * from {{ ref('stg_reference__supplier_attribute_rule') }}
),

facts as (
    select
        f.*,
        case
            when f.valid_from_precision = 'day' or rule.partial_dates = 'whole_period' then f.valid_from
            when f.valid_from_precision = 'month' then last_day(f.valid_from)
            else cast(make_date(year(f.valid_from), 12, 31) as date)
        end as counts_from,
        case
            when f.valid_to is null then null
            when f.valid_to_precision = 'day' or rule.partial_dates = 'conservative' then f.valid_to
            when f.valid_to_precision = 'month' then last_day(f.valid_to)
            else cast(make_date(year(f.valid_to), 12, 31) as date)
        end as counts_to,
        rule.rule_version
    from {{ ref('stg_raw__supplier_attributes') }} as f
    cross join rule
)

select
    facts.*,
    links.supplier_id,
    coalesce(links.match_method, 'unmatched') as match_method,
    coalesce(links.matched_suppliers, 0) as matched_suppliers,
    s.scheme_name,
    s.schemes_version
from facts
left join {{ ref('stg_resolution__attribute_links') }} as links on facts.fact_id = links.fact_id
left join {{ ref('stg_reference__schemes') }} as s on facts.scheme_code = s.scheme_code
