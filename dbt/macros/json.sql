{#- JSON / VARIANT access. `path` is a dotted FHIR path with optional array indexes
    (`meta.lastUpdated`, `name[0].family`); `expr` is any JSON (DuckDB) / VARIANT (Snowflake) expression. -#}

{#- The string at `path` (null when absent). -#}
{% macro json_str(expr, path) %}{{ return(adapter.dispatch('json_str', 'fhir_gateway')(expr, path)) }}{% endmacro %}
{% macro duckdb__json_str(expr, path) %}json_extract_string({{ expr }}, '$.{{ path }}'){% endmacro %}
{% macro snowflake__json_str(expr, path) %}get_path({{ expr }}, '{{ path }}')::varchar{% endmacro %}

{#- The JSON value at `path`. -#}
{% macro json_get(expr, path) %}{{ return(adapter.dispatch('json_get', 'fhir_gateway')(expr, path)) }}{% endmacro %}
{% macro duckdb__json_get(expr, path) %}json_extract({{ expr }}, '$.{{ path }}'){% endmacro %}
{% macro snowflake__json_get(expr, path) %}get_path({{ expr }}, '{{ path }}'){% endmacro %}

{#- The number at `path` as a double (null when absent or not numeric). -#}
{% macro json_num(expr, path) %}{{ return(adapter.dispatch('json_num', 'fhir_gateway')(expr, path)) }}{% endmacro %}
{% macro duckdb__json_num(expr, path) %}try_cast(json_extract_string({{ expr }}, '$.{{ path }}') as double){% endmacro %}
{% macro snowflake__json_num(expr, path) %}try_to_double(get_path({{ expr }}, '{{ path }}')::varchar){% endmacro %}

{#- A JSON array as a list of JSON elements (null when absent). -#}
{% macro json_list(expr) %}{{ return(adapter.dispatch('json_list', 'fhir_gateway')(expr)) }}{% endmacro %}
{% macro duckdb__json_list(expr) %}from_json({{ expr }}, '["json"]'){% endmacro %}
{% macro snowflake__json_list(expr) %}{{ expr }}::array{% endmacro %}

{#- The JSON array of strings at `path` as a list of strings (empty when absent). -#}
{% macro json_strings(expr, path) %}{{ return(adapter.dispatch('json_strings', 'fhir_gateway')(expr, path)) }}{% endmacro %}
{% macro duckdb__json_strings(expr, path) %}coalesce(from_json(json_extract({{ expr }}, '$.{{ path }}'), '["varchar"]'), []::varchar[]){% endmacro %}
{% macro snowflake__json_strings(expr, path) %}coalesce(get_path({{ expr }}, '{{ path }}')::array, array_construct()){% endmacro %}

{#- A JSON value serialized as text (the served `resource` columns). -#}
{% macro json_text(expr) %}{{ return(adapter.dispatch('json_text', 'fhir_gateway')(expr)) }}{% endmacro %}
{% macro duckdb__json_text(expr) %}cast({{ expr }} as varchar){% endmacro %}
{% macro snowflake__json_text(expr) %}to_json({{ expr }}){% endmacro %}

{#- Parses JSON text into a JSON value. -#}
{% macro json_parse(expr) %}{{ return(adapter.dispatch('json_parse', 'fhir_gateway')(expr)) }}{% endmacro %}
{% macro duckdb__json_parse(expr) %}cast({{ expr }} as json){% endmacro %}
{% macro snowflake__json_parse(expr) %}parse_json({{ expr }}){% endmacro %}

{#- A JSON object from `pairs`, a list of [key, value expression]; SQL NULL values are left out. -#}
{% macro json_object_of(pairs) %}{{ return(adapter.dispatch('json_object_of', 'fhir_gateway')(pairs)) }}{% endmacro %}
{% macro duckdb__json_object_of(pairs) -%}
  json_merge_patch('{}'::json, json_object({% for p in pairs %}'{{ p[0] }}', {{ p[1] }}{% if not loop.last %}, {% endif %}{% endfor %}))
{%- endmacro %}
{% macro snowflake__json_object_of(pairs) -%}
  object_construct({% for p in pairs %}'{{ p[0] }}', {{ p[1] }}{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{#- `obj` with each key of `pairs` ([key, value expression]) replaced by its value, or removed when
    the value is SQL NULL (the semantics of JSON Merge Patch, RFC 7386, at the top level).
    A value that is an object must be a complete replacement derived from the original. -#}
{% macro json_patch(obj, pairs) %}{{ return(adapter.dispatch('json_patch', 'fhir_gateway')(obj, pairs)) }}{% endmacro %}
{% macro duckdb__json_patch(obj, pairs) -%}
  json_merge_patch({{ obj }}, json_object({% for p in pairs %}'{{ p[0] }}', {{ p[1] }}{% if not loop.last %}, {% endif %}{% endfor %}))
{%- endmacro %}
{% macro snowflake__json_patch(obj, pairs) -%}
  {#- The pairs of `obj` whose key is not patched, plus the patched pairs, aggregated back into an
      object (`object_agg` leaves out SQL NULL values, which removes those keys): a correlated
      scalar subquery, like the list macros (macros/lists.sql), since the emulator lacks
      `object_delete` and runs `object_insert` only on structs. Null when `obj` is. -#}
  iff(({{ obj }}) is null, null, (
    select object_agg(patched.key, patched.value)
    from (
      select kept.key, kept.value
      from table(flatten(input => ({{ obj }})::object)) as kept
      where kept.key not in ({% for p in pairs %}'{{ p[0] }}'{% if not loop.last %}, {% endif %}{% endfor %})
      {%- for p in pairs %}
      union all
      select '{{ p[0] }}' as key, to_variant({{ p[1] }}) as value
      {%- endfor %}
    ) as patched
  ))
{%- endmacro %}

{#- Aggregates JSON values into a JSON array ordered by `order_by`. -#}
{% macro json_agg(expr, order_by) %}{{ return(adapter.dispatch('json_agg', 'fhir_gateway')(expr, order_by)) }}{% endmacro %}
{% macro duckdb__json_agg(expr, order_by) %}to_json(list({{ expr }} order by {{ order_by }})){% endmacro %}
{% macro snowflake__json_agg(expr, order_by) %}array_agg({{ expr }}) within group (order by {{ order_by }}){% endmacro %}

{#- A FROM-clause item (with its leading comma) giving one row per element of the JSON array `expr`,
    as `<alias>.value` (JSON) and `<alias>.index` (0-based). No row when the array is absent. -#}
{% macro json_flatten(expr, alias) %}{{ return(adapter.dispatch('json_flatten', 'fhir_gateway')(expr, alias)) }}{% endmacro %}
{% macro duckdb__json_flatten(expr, alias) -%}
  , lateral (
    select
      unnest(from_json({{ expr }}, '["json"]')) as value,
      unnest(range(0, coalesce(json_array_length({{ expr }}), 0)::bigint)) as index
  ) as {{ alias }}
{%- endmacro %}
{% macro snowflake__json_flatten(expr, alias) -%}
  , lateral flatten(input => {{ expr }}) as {{ alias }}
{%- endmacro %}
