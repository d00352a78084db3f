{#- The Reference object at `path` of `resource` with its `reference` rewritten to
    `<type>/<token>`; null when the resource has no such reference (so json_patch leaves it out).
    See https://hl7.org/fhir/R4/references.html -#}
{% macro served_reference(resource, path, type, token) -%}
  case when {{ json_str(resource, path ~ '.reference') }} is not null then
    {{ json_patch(json_get(resource, path), [['reference', "'" ~ type ~ "/' || " ~ token]]) }}
  end
{%- endmacro %}

{#- `meta` of `resource` with lastUpdated kept, or set from `last_updated` when absent. -#}
{% macro served_meta(resource, meta_last_updated, last_updated) -%}
  {{ json_patch('coalesce(' ~ json_get(resource, 'meta') ~ ', ' ~ json_parse("'{}'") ~ ')', [
      ['lastUpdated', 'coalesce(' ~ meta_last_updated ~ ', ' ~ fhir_instant(last_updated) ~ ')']
  ]) }}
{%- endmacro %}
