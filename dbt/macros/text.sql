{#- Text helpers for the search columns (dbt/API_MARTS.md, "Search normalization"). -#}

{#- Accents removed (NFD, combining marks dropped). Snowflake has no unaccent function: its version
    maps the Latin-1 Supplement and Latin Extended-A letters with `translate`, which covers the
    names the platform sees; other scripts pass through unchanged. -#}
{% macro strip_accents(expr) %}{{ return(adapter.dispatch('strip_accents', 'fhir_gateway')(expr)) }}{% endmacro %}
{% macro duckdb__strip_accents(expr) %}strip_accents({{ expr }}){% endmacro %}
{% macro snowflake__strip_accents(expr) -%}
  translate({{ expr }},
    'ÀÁÂÃÄÅàáâãäåĀāĂăĄąÇçĆćĈĉĊċČčĎďÈÉÊËèéêëĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥÌÍÎÏìíîïĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľÑñŃńŅņŇňÒÓÔÕÖòóôõöŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲųŴŵÝýÿŶŷŸŹźŻżŽž',
    'AAAAAAaaaaaaAaAaAaCcCcCcCcCcDdEEEEeeeeEeEeEeEeEeGgGgGgGgHhIIIIiiiiIiIiIiIiIJjKkLlLlLlNnNnNnNnOOOOOoooooOoOoOoRrRrRrSsSsSsSsTtTtUUUUuuuuUuUuUuUuUuUuWwYyyYyYZzZzZz')
{%- endmacro %}

{#- The normalized, space-delimited form of a list of strings: ` maria jose garcia ` (null when empty). -#}
{% macro search_text(list) -%}
  nullif(' ' || lower({{ strip_accents(list_join(list, ' ')) }}) || ' ', '  ')
{%- endmacro %}

{#- The raw, pipe-delimited form of a list of strings: `|María|José|` (null when empty). -#}
{% macro exact_text(list) -%}
  nullif('|' || {{ list_join(list, '|') }} || '|', '||')
{%- endmacro %}

{#- Capture group `group` of the first match of `pattern` (null when no match). -#}
{% macro regex_extract(expr, pattern, group) %}{{ return(adapter.dispatch('regex_extract', 'fhir_gateway')(expr, pattern, group)) }}{% endmacro %}
{% macro duckdb__regex_extract(expr, pattern, group) %}nullif(regexp_extract({{ expr }}, '{{ pattern }}', {{ group }}), ''){% endmacro %}
{% macro snowflake__regex_extract(expr, pattern, group) %}regexp_substr({{ expr }}, '{{ pattern }}', 1, 1, 'e', {{ group }}){% endmacro %}

{#- Whether `expr` fully matches `pattern`. -#}
{% macro regex_matches(expr, pattern) %}{{ return(adapter.dispatch('regex_matches', 'fhir_gateway')(expr, pattern)) }}{% endmacro %}
{% macro duckdb__regex_matches(expr, pattern) %}regexp_full_match({{ expr }}, '{{ pattern }}'){% endmacro %}
{% macro snowflake__regex_matches(expr, pattern) %}regexp_like({{ expr }}, '{{ pattern }}'){% endmacro %}

{#- Whether `expr` contains a match of `pattern`. -#}
{% macro regex_contains(expr, pattern) %}{{ return(adapter.dispatch('regex_contains', 'fhir_gateway')(expr, pattern)) }}{% endmacro %}
{% macro duckdb__regex_contains(expr, pattern) %}regexp_matches({{ expr }}, '{{ pattern }}'){% endmacro %}
{% macro snowflake__regex_contains(expr, pattern) %}regexp_instr({{ expr }}, '{{ pattern }}') > 0{% endmacro %}

{#- `expr` with every match of `pattern` replaced by `replacement`. -#}
{% macro regex_replace_all(expr, pattern, replacement) %}{{ return(adapter.dispatch('regex_replace_all', 'fhir_gateway')(expr, pattern, replacement)) }}{% endmacro %}
{% macro duckdb__regex_replace_all(expr, pattern, replacement) %}regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g'){% endmacro %}
{% macro snowflake__regex_replace_all(expr, pattern, replacement) %}regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}'){% endmacro %}

{#- `expr` of every row in the group joined by `sep` in `order_by` order (null for no non-null value). -#}
{% macro text_agg(expr, sep, order_by) %}{{ return(adapter.dispatch('text_agg', 'fhir_gateway')(expr, sep, order_by)) }}{% endmacro %}
{% macro duckdb__text_agg(expr, sep, order_by) %}string_agg({{ expr }}, '{{ sep }}' order by {{ order_by }}){% endmacro %}
{% macro snowflake__text_agg(expr, sep, order_by) %}listagg({{ expr }}, '{{ sep }}') within group (order by {{ order_by }}){% endmacro %}
