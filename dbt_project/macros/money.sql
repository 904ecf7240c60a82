{#- A quantity valued at a proxy value, to the penny: exact decimal arithmetic (a quantity to 6
    places, a proxy to 4), rounded once, half away from zero. Every social value total is then an
    exact sum of these pennies, so the marts agree to the penny however they group the rows. A
    missing proxy (record-only or unknown measure) values at zero, as before. -#}
{% macro value_to_the_penny(quantity, proxy_value) -%}
    cast(round(
        cast({{ quantity }} as decimal(18, 6)) * cast(coalesce({{ proxy_value }}, 0) as decimal(18, 4)), 2
    ) as decimal(18, 2))
{%- endmacro %}
