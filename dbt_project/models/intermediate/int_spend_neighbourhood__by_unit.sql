-- Every in-scope supplier-year placed in its neighbourhood (fct_spend_neighbourhood), once for each
-- reporting unit its partner belongs to (the partner itself, STAR, GM): what the deprivation and the
-- area KPIs both aggregate.
select
    m.reporting_unit,
    m.reporting_unit_type,
    f.*
from {{ ref('fct_spend_neighbourhood') }} as f
inner join {{ ref('stg_reference__reporting_unit_members') }} as m on f.partner_code = m.partner_code
