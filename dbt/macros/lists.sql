{#- Lists (DuckDB) / arrays (Snowflake) and their higher-order functions. `var` names the lambda
    parameter that `expr` / `cond` use (pass the SQL of the body, usually built with json_* macros). -#}

{% macro list_map(list, var, expr) %}{{ return(adapter.dispatch('list_map', 'fhir_gateway')(list, var, expr)) }}{% endmacro %}
{% macro duckdb__list_map(list, var, expr) %}list_transform({{ list }}, {{ var }} -> {{ expr }}){% endmacro %}
{% macro snowflake__list_map(list, var, expr) %}transform({{ list }}, {{ var }} -> {{ expr }}){% endmacro %}

{% macro list_filter(list, var, cond) %}{{ return(adapter.dispatch('list_filter', 'fhir_gateway')(list, var, cond)) }}{% endmacro %}
{% macro duckdb__list_filter(list, var, cond) %}list_filter({{ list }}, {{ var }} -> {{ cond }}){% endmacro %}
{% macro snowflake__list_filter(list, var, cond) %}filter({{ list }}, {{ var }} -> {{ cond }}){% endmacro %}

{#- A list of lists made one list. -#}
{% macro list_flatten(list) %}{{ return(adapter.dispatch('list_flatten', 'fhir_gateway')(list)) }}{% endmacro %}
{% macro duckdb__list_flatten(list) %}flatten({{ list }}){% endmacro %}
{% macro snowflake__list_flatten(list) %}array_flatten({{ list }}){% endmacro %}

{#- Concatenates the lists in `lists` (a Jinja list of SQL list expressions). -#}
{% macro list_concat(lists) %}{{ return(adapter.dispatch('list_concat', 'fhir_gateway')(lists)) }}{% endmacro %}
{% macro duckdb__list_concat(lists) %}list_concat({{ lists | join(', ') }}){% endmacro %}
{% macro snowflake__list_concat(lists) -%}
  {%- for l in lists %}{% if not loop.last %}array_cat({% endif %}{% endfor -%}
  {%- for l in lists %}{{ l }}{% if not loop.first %}){% endif %}{% if not loop.last %}, {% endif %}{% endfor -%}
{%- endmacro %}

{#- A one-element list holding a scalar string. -#}
{% macro list_of(expr) %}{{ return(adapter.dispatch('list_of', 'fhir_gateway')(expr)) }}{% endmacro %}
{% macro duckdb__list_of(expr) %}[{{ expr }}]{% endmacro %}
{% macro snowflake__list_of(expr) %}array_construct({{ expr }}){% endmacro %}

{#- The strings of a list joined by `sep`, nulls skipped. -#}
{% macro list_join(list, sep) %}{{ return(adapter.dispatch('list_join', 'fhir_gateway')(list, sep)) }}{% endmacro %}
{% macro duckdb__list_join(list, sep) %}array_to_string(list_filter({{ list }}, x -> x is not null), '{{ sep }}'){% endmacro %}
{% macro snowflake__list_join(list, sep) %}array_to_string(array_compact({{ list }}), '{{ sep }}'){% endmacro %}

{#- Number of elements (0 for an empty list, null for null). -#}
{% macro list_size(list) %}{{ return(adapter.dispatch('list_size', 'fhir_gateway')(list)) }}{% endmacro %}
{% macro duckdb__list_size(list) %}len({{ list }}){% endmacro %}
{% macro snowflake__list_size(list) %}array_size({{ list }}){% endmacro %}

{#- The first element (null for an empty or null list). -#}
{% macro list_first(list) %}{{ return(adapter.dispatch('list_first', 'fhir_gateway')(list)) }}{% endmacro %}
{% macro duckdb__list_first(list) %}({{ list }})[1]{% endmacro %}
{% macro snowflake__list_first(list) %}get({{ list }}, 0){% endmacro %}
