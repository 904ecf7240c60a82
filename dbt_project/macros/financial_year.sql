{# UK public-sector financial year label (1 April - 31 March) of a date: 2020-05-01 -> '2020/21'. #}
{% macro financial_year(date_column) -%}
    (
        cast(year({{ date_column }}) - case when month({{ date_column }}) < 4 then 1 else 0 end as varchar)
        || '/'
        || lpad(cast((year({{ date_column }}) + case when month({{ date_column }}) < 4 then 0 else 1 end) % 100 as varchar), 2, '0')
    )
{%- endmacro %}

{# Amounts are stored as whole pence so sums are exact; published as decimal pounds. #}
{% macro pence_to_gbp(column) -%}
    cast({{ column }} / 100.0 as decimal(18, 2))
{%- endmacro %}

