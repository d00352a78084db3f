{#- `dbt run-operation drop_ci_schema --args "{schema: api}"`: drops the prefixed schema a CI
    run built (refuses to run without DBT_SCHEMA_PREFIX, so it never drops a shared schema). -#}
{% macro drop_ci_schema(schema) %}
  {%- set prefix = env_var('DBT_SCHEMA_PREFIX', '') -%}
  {%- if not prefix -%}
    {{ exceptions.raise_compiler_error('drop_ci_schema needs DBT_SCHEMA_PREFIX') }}
  {%- endif -%}
  {%- set dropped = run_query('drop schema if exists ' ~ target.database ~ '.' ~ prefix ~ schema ~ ' cascade') -%}
{% endmacro %}
