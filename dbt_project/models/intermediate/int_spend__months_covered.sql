-- How many months of each financial year a reporting unit's local-spend figure rests on, so that a
-- year with fewer than 12 is marked partial wherever it is shown, and so that the in-scope
-- threshold can treat it as the rule says (local_spend.part_year_threshold).
--
-- Months are counted from payment dates, not from the load manifest's periods: a quarterly or
-- annual file is one period but three or twelve months (Tameside's sample ledgers are quarterly),
-- and the payment date is what puts a row in its financial year, so the months counted are those
-- of exactly the rows behind the figure.
--
-- A group's figure is only as complete as its least complete member: its months are those in which
-- every member with spend that year has spend, and its note names each partial member (the members'
-- own rows are the member-level view). A member with no spend at all in a year is not part of that
-- year's figure and is not counted here.
with partner_months as (
    select distinct
        partner_code,
        financial_year,
        cast(date_trunc('month', payment_date) as date) as month_start,
        (month(payment_date) + 8) % 12 + 1 as fy_month  -- April = 1 ... March = 12
    from {{ ref('stg_raw__spend') }}
),

runs as (  -- consecutive months, written as one range ("Apr–May 2019, Jul 2019")
    select
        partner_code,
        financial_year,
        min(fy_month) as first_fy_month,
        min(month_start) as run_start,
        max(month_start) as run_end
    from (
        select
            *,
            fy_month - row_number() over (partition by partner_code, financial_year order by fy_month) as run_key
        from partner_months
    ) as numbered
    group by partner_code, financial_year, run_key
),

partner_years as (
    select
        partner_code,
        financial_year,
        cast(sum(date_diff('month', run_start, run_end) + 1) as integer) as months_covered,
        string_agg(
            case
                when run_start = run_end then strftime(run_start, '%b %Y')
                when year(run_start) = year(run_end) then strftime(run_start, '%b') || '–' || strftime(run_end, '%b %Y')
                else strftime(run_start, '%b %Y') || '–' || strftime(run_end, '%b %Y')
            end,
            ', ' order by first_fy_month
        ) as months_text
    from runs
    group by partner_code, financial_year
),

member_years as (
    select
        m.reporting_unit,
        m.reporting_unit_type,
        m.partner_code,
        p.financial_year,
        p.months_text,
        p.months_covered
    from {{ ref('stg_reference__reporting_unit_members') }} as m
    inner join partner_years as p on m.partner_code = p.partner_code
),

unit_months as (  -- per unit and month: how many of the unit's contributing members have spend in it
    select
        m.reporting_unit,
        pm.financial_year,
        pm.fy_month,
        count(*) as members_with_spend
    from {{ ref('stg_reference__reporting_unit_members') }} as m
    inner join partner_months as pm on m.partner_code = pm.partner_code
    group by 1, 2, 3
),

units as (
    select
        reporting_unit,
        reporting_unit_type,
        financial_year,
        count(*) as members_contributing,
        count(*) filter (where months_covered < 12) as members_partial,
        string_agg(
            case
                when months_covered < 12
                    then
                        case when reporting_unit_type = 'group' then partner_code || ' ' else '' end
                        || months_text || ' (' || months_covered || ' of 12 months)'
            end,
            '; ' order by partner_code
        ) as partial_members_text
    from member_years
    group by 1, 2, 3
)

select
    u.reporting_unit,
    u.reporting_unit_type,
    u.financial_year,
    cast(u.members_contributing as integer) as members_contributing,
    cast(count(um.fy_month) filter (where um.members_with_spend = u.members_contributing) as integer)
        as months_covered,
    u.members_partial > 0 as is_partial_year,
    case when u.members_partial > 0 then 'partial year: ' || u.partial_members_text end as partial_year_note
from units as u
left join unit_months as um
    on u.reporting_unit = um.reporting_unit and u.financial_year = um.financial_year
group by
    u.reporting_unit, u.reporting_unit_type, u.financial_year, u.members_contributing, u.members_partial,
    u.partial_members_text
