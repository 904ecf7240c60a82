-- Commitment against delivery per contract, as of the newest delivery return in the data:
-- the commitment is profiled evenly over the contract term, and a contract that has delivered
-- well below its profile to date is red (rules: delivery_red_ratio, delivery_amber_ratio).
with rule as (select * from {{ ref('stg_reference__social_value_rule') }}),

as_of as (select max(period_end) as as_of_date from {{ ref('stg_raw__sv_deliveries') }}),

committed as (
    select
        contract_id,
        sum(committed_gbp) as committed_gbp,
        count(*) filter (where is_record_only) as record_only_measures
    from {{ ref('int_sv__commitments_valued') }}
    group by 1
),

delivered as (
    select
        contract_id,
        sum(delivered_gbp_award_edition) filter (where counts_as_delivered) as delivered_gbp,
        sum(delivered_gbp_current_edition) filter (where counts_as_delivered) as delivered_gbp_current_edition,
        max(period_end) as latest_return
    from {{ ref('int_sv__deliveries_valued') }}
    group by 1
),

joined as (
    select
        k.contract_id,
        k.partner_code,
        k.contract_ref,
        k.title,
        k.supplier_name,
        k.financial_year,
        k.award_date,
        k.start_date,
        k.end_date,
        k.contract_value_gbp,
        c.committed_gbp,
        c.record_only_measures,
        coalesce(d.delivered_gbp, 0) as delivered_gbp,
        coalesce(d.delivered_gbp_current_edition, 0) as delivered_gbp_current_edition,
        d.latest_return,
        as_of.as_of_date,
        least(1.0, greatest(
            0.0,
            date_diff('day', k.start_date, as_of.as_of_date)
            / nullif(date_diff('day', k.start_date, k.end_date), 0)
        )) as elapsed_share
    from {{ ref('int_contract__by_ref') }} as k
    inner join committed as c using (contract_id)
    cross join as_of
    left join delivered as d using (contract_id)
)

select
    joined.*,
    round(100 * delivered_gbp / nullif(committed_gbp, 0), 2) as delivery_pct,
    round(100 * elapsed_share, 2) as elapsed_pct,
    case
        when committed_gbp is null or committed_gbp = 0 or elapsed_share is null or elapsed_share = 0 then 'not_started'
        when delivered_gbp < rule.delivery_red_ratio * elapsed_share * committed_gbp then 'red'
        when delivered_gbp < rule.delivery_amber_ratio * elapsed_share * committed_gbp then 'amber'
        else 'green'
    end as rag_status,
    rule.rule_version
from joined cross join rule
