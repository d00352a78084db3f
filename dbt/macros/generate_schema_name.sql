{#- Custom schema names are used verbatim (staging, intermediate, api, omop), not prefixed with the
    target schema as dbt does by default: the gateway and the loader address these names directly.
    DBT_SCHEMA_PREFIX (empty unless set) lets CI build each pull request in schemas of its own. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
  {%- if not custom_schema_name -%}
    {{ target.schema }}
  {%- else -%}
    {{ env_var('DBT_SCHEMA_PREFIX', '') }}{{ custom_schema_name | trim }}
  {%- endif -%}
{%- endmacro %}
