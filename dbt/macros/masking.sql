{#
  Column masking on Snowflake, applied by dbt after it builds a model: every column whose
  `config.meta.masking_policy` names one of the policies of infra/snowflake/007_masking.sql gets it,
  one statement per column (`alter table|view … modify column … set masking policy … force`:
  ALTER VIEW takes a single column; dbt-snowflake runs the `;`-separated statements one by one).
  A post-hook, so the masks exist from the build that creates the object — a `--full-refresh` or a
  view's `create or replace` never leaves the column bare until someone re-runs a script. `force`
  makes it idempotent. Nothing on DuckDB (no roles to mask from).
#}
{% macro apply_masking_policies() -%}
    {{ return(adapter.dispatch('apply_masking_policies')()) }}
{%- endmacro %}

{% macro default__apply_masking_policies() -%}
{%- endmacro %}

{% macro snowflake__apply_masking_policies() -%}
    {%- set kind = 'view' if config.get('materialized') == 'view' else 'table' -%}
    {%- for name, column in model.columns.items() -%}
        {%- set policy = (column.config.meta or column.meta or {}).get('masking_policy') -%}
        {%- if policy %}
alter {{ kind }} {{ this }} modify column {{ name }} set masking policy fhir_gateway.governance.{{ policy }} force;
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}
