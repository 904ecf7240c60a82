{#- The memory limit dbt's DuckDB connection runs under (profiles.yml `settings`), logged so a test
    and an engineer can see what a run's build is held to: dbt run-operation show_memory_limit -#}
{% macro show_memory_limit() %}
    {% set limit = run_query("select current_setting('memory_limit')").columns[0].values()[0] %}
    {{ log("duckdb memory_limit: " ~ limit, info=True) }}
{% endmacro %}
