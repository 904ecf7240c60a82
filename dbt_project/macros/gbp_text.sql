{# Pounds for a reader: GBP 25000 -> '£25,000', GBP 4166.67 -> '£4,166.67' (pence only when there are any). #}
{% macro gbp_text(column) -%}
    (case when {{ column }} = round({{ column }}) then '£' || format('{:,.0f}', cast({{ column }} as double))
          else '£' || format('{:,.2f}', cast({{ column }} as double)) end)
{%- endmacro %}
