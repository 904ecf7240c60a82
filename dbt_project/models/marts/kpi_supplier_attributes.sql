-- Share of in-scope spend, and of contract value awarded, with suppliers holding each scheme's status
-- (config/schemes.yml) AS AT the payment or award date, per reporting unit (a partner, STAR, GM),
-- financial year and scheme. A status counts for a payment only on the days its fact counts
-- (int_supplier__attribute_facts: counts_from <= date <= counts_to), so a firm accredited in 2022 adds
-- nothing to 2019 spend, and spend before a mid-year accreditation is not counted.
--
-- In scope exactly as the local-spend rule decides it (int_spend__supplier_year.is_in_scope), so
-- in_scope_spend_gbp is kpi_local_spend's. Contract value: every contract awarded in the year with a
-- value (fct_contract). Unconfirmed facts count as supplier_attributes.unconfirmed_facts says; the £
-- that rests on them alone is published beside each share either way (unconfirmed_*).
with rule as (
    select * from {{ ref('stg_reference__supplier_attribute_rule') }}
),

local_rule as (
    select * from {{ ref('stg_reference__local_spend_rule') }}
),

schemes as (
    select * from {{ ref('stg_reference__schemes') }}
),

facts as (
    select
        supplier_id,
        scheme_code,
        is_confirmed,
        counts_from,
        coalesce(counts_to, date '9999-12-31') as counts_to
    from {{ ref('int_supplier__attribute_facts') }}
    where supplier_id is not null
),

in_scope_payments as (
    select
        p.payment_id,
        p.partner_code,
        p.financial_year,
        p.payment_date,
        p.supplier_key,
        p.amount_gbp
    from {{ ref('int_spend__linked_to_supplier') }} as p
    inner join {{ ref('int_spend__supplier_year') }} as y
        on p.partner_code = y.partner_code and p.financial_year = y.financial_year and p.supplier_key = y.supplier_key
    where y.is_in_scope
),

payment_status as (  -- the schemes each in-scope payment's supplier held on the payment date
    select
        p.payment_id,
        f.scheme_code,
        bool_or(f.is_confirmed) as held_confirmed
    from in_scope_payments as p
    inner join facts as f
        on p.supplier_key = f.supplier_id and p.payment_date between f.counts_from and f.counts_to
    group by 1, 2
),

spend as (
    select
        m.reporting_unit,
        m.reporting_unit_type,
        p.financial_year,
        s.scheme_code,
        sum(p.amount_gbp) as in_scope_spend_gbp,
        coalesce(sum(p.amount_gbp) filter (where ps.held_confirmed), 0) as confirmed_spend_gbp,
        coalesce(sum(p.amount_gbp) filter (where not ps.held_confirmed), 0) as unconfirmed_spend_gbp,
        count(distinct p.supplier_key) filter (where ps.held_confirmed) as confirmed_suppliers,
        count(distinct p.supplier_key) filter (where ps.scheme_code is not null) as any_suppliers
    from in_scope_payments as p
    inner join {{ ref('stg_reference__reporting_unit_members') }} as m on p.partner_code = m.partner_code
    cross join schemes as s
    left join payment_status as ps on p.payment_id = ps.payment_id and s.scheme_code = ps.scheme_code
    group by 1, 2, 3, 4
),

contracts as (
    select
        c.contract_id,
        c.partner_code,
        c.financial_year,
        c.award_date,
        c.supplier_id,
        c.contract_value_gbp
    from {{ ref('fct_contract') }} as c
    where c.contract_value_gbp is not null and c.award_date is not null
),

contract_status as (
    select
        c.contract_id,
        f.scheme_code,
        bool_or(f.is_confirmed) as held_confirmed
    from contracts as c
    inner join facts as f
        on c.supplier_id = f.supplier_id and c.award_date between f.counts_from and f.counts_to
    group by 1, 2
),

awarded as (
    select
        m.reporting_unit,
        m.reporting_unit_type,
        c.financial_year,
        s.scheme_code,
        sum(c.contract_value_gbp) as contract_value_gbp,
        coalesce(sum(c.contract_value_gbp) filter (where cs.held_confirmed), 0) as confirmed_contract_value_gbp,
        coalesce(sum(c.contract_value_gbp) filter (where not cs.held_confirmed), 0) as unconfirmed_contract_value_gbp
    from contracts as c
    inner join {{ ref('stg_reference__reporting_unit_members') }} as m on c.partner_code = m.partner_code
    cross join schemes as s
    left join contract_status as cs on c.contract_id = cs.contract_id and s.scheme_code = cs.scheme_code
    group by 1, 2, 3, 4
),

joined as (
    select
        coalesce(sp.reporting_unit, aw.reporting_unit) as reporting_unit,
        coalesce(sp.reporting_unit_type, aw.reporting_unit_type) as reporting_unit_type,
        coalesce(sp.financial_year, aw.financial_year) as financial_year,
        coalesce(sp.scheme_code, aw.scheme_code) as scheme_code,
        coalesce(sp.in_scope_spend_gbp, 0) as in_scope_spend_gbp,
        coalesce(sp.confirmed_spend_gbp, 0) as confirmed_spend_gbp,
        coalesce(sp.unconfirmed_spend_gbp, 0) as unconfirmed_spend_gbp,
        coalesce(sp.confirmed_suppliers, 0) as confirmed_suppliers,
        coalesce(sp.any_suppliers, 0) as any_suppliers,
        coalesce(aw.contract_value_gbp, 0) as contract_value_gbp,
        coalesce(aw.confirmed_contract_value_gbp, 0) as confirmed_contract_value_gbp,
        coalesce(aw.unconfirmed_contract_value_gbp, 0) as unconfirmed_contract_value_gbp
    from spend as sp
    full outer join awarded as aw
        on
            sp.reporting_unit = aw.reporting_unit
            and sp.financial_year = aw.financial_year
            and sp.scheme_code = aw.scheme_code
),

counted as (
    select
        j.*,
        j.confirmed_spend_gbp
        + case when rule.unconfirmed_facts = 'count' then j.unconfirmed_spend_gbp else 0 end as holding_spend_gbp,
        j.confirmed_contract_value_gbp
        + case
            when rule.unconfirmed_facts = 'count' then j.unconfirmed_contract_value_gbp else 0
        end as holding_contract_value_gbp,
        case when rule.unconfirmed_facts = 'count' then j.any_suppliers else j.confirmed_suppliers end
            as holding_suppliers
    from joined as j
    cross join rule
)

select
    cast(c.reporting_unit as varchar) as reporting_unit,
    cast(c.reporting_unit_type as varchar) as reporting_unit_type,
    cast(c.financial_year as varchar) as financial_year,
    cast(c.scheme_code as varchar) as scheme_code,
    cast(s.scheme_name as varchar) as scheme_name,
    cast(c.in_scope_spend_gbp as decimal(18, 2)) as in_scope_spend_gbp,
    cast(c.holding_spend_gbp as decimal(18, 2)) as holding_spend_gbp,
    cast(round(100 * c.holding_spend_gbp / nullif(c.in_scope_spend_gbp, 0), 2) as decimal(5, 2))
        as holding_spend_share_pct,
    cast(c.unconfirmed_spend_gbp as decimal(18, 2)) as unconfirmed_spend_gbp,
    cast(round(100 * c.unconfirmed_spend_gbp / nullif(c.in_scope_spend_gbp, 0), 2) as decimal(5, 2))
        as unconfirmed_spend_share_pct,
    cast(c.holding_suppliers as integer) as holding_suppliers,
    cast(c.contract_value_gbp as decimal(18, 2)) as contract_value_gbp,
    cast(c.holding_contract_value_gbp as decimal(18, 2)) as holding_contract_value_gbp,
    cast(round(100 * c.holding_contract_value_gbp / nullif(c.contract_value_gbp, 0), 2) as decimal(5, 2))
        as holding_contract_share_pct,
    cast(c.unconfirmed_contract_value_gbp as decimal(18, 2)) as unconfirmed_contract_value_gbp,
    cast(case
        when c.in_scope_spend_gbp = 0 then 'no in-scope spend this year'
        when rule.unconfirmed_facts = 'count' and c.unconfirmed_spend_gbp != 0
            then
                'includes '
                || printf('%.1f', cast(round(100 * c.unconfirmed_spend_gbp / c.in_scope_spend_gbp, 1) as double))
                || '% of in-scope spend resting on unconfirmed facts'
        when c.unconfirmed_spend_gbp != 0
            then
                'unconfirmed facts would add '
                || printf('%.1f', cast(round(100 * c.unconfirmed_spend_gbp / c.in_scope_spend_gbp, 1) as double))
                || '% of in-scope spend (not counted)'
        else 'no in-scope spend rests on unconfirmed facts'
    end as varchar) as unconfirmed_note,
    cast(rule.rule_version as varchar) as rule_version,
    cast(rule.unconfirmed_facts as varchar) as unconfirmed_facts_rule,
    cast(rule.partial_dates as varchar) as partial_dates_rule,
    cast(local_rule.rule_version as varchar) as local_spend_rule_version,
    cast(s.schemes_version as varchar) as schemes_version,
    coalesce(mo.is_partial_year, false) as is_partial_year,
    cast(mo.partial_year_note as varchar) as partial_year_note
from counted as c
cross join rule
cross join local_rule
inner join schemes as s on c.scheme_code = s.scheme_code
left join {{ ref('int_spend__months_covered') }} as mo
    on c.reporting_unit = mo.reporting_unit and c.financial_year = mo.financial_year
