{% test unique_together(model, columns) %}
    -- One row per combination of `columns` (named in the models' yml, never input). Where an id is a
    -- hash of these columns, this is the id's uniqueness test without hashing every row to test it.
    select {{ columns | join(', ') }}, count(*) as rows_with_it
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
