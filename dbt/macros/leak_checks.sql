{#- A served resource mentions `source_id` as a JSON string, at the end of a reference path or after
    a `urn:uuid:`-style colon (singular test assert_no_source_ids_in_served_resources). -#}
{% macro source_id_leaks(source_id, resource) -%}
  (contains({{ resource }}, '"' || {{ source_id }} || '"')
   or contains({{ resource }}, '/' || {{ source_id }} || '"')
   or contains({{ resource }}, ':' || {{ source_id }} || '"'))
{%- endmacro %}
