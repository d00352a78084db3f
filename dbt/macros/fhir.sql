{#- FHIR building blocks composed from the dispatched macros (no warehouse-specific SQL here). -#}

{#- The id in a reference: `Patient/x`, `urn:uuid:x`, `https://host/fhir/Patient/x/_history/2` → `x`.
    See https://hl7.org/fhir/R4/references.html#literal -#}
{% macro fhir_ref_id(ref) -%}
  {{ regex_extract(ref, '([^/:]+)(/_history/[^/]*)?$', 1) }}
{%- endmacro %}

{#- The resource type named in a relative or absolute reference (null for `urn:uuid:`). -#}
{% macro fhir_ref_type(ref) -%}
  {{ regex_extract(ref, '([A-Z][A-Za-z]+)/[^/]+(/_history/[^/]*)?$', 1) }}
{%- endmacro %}

{#- Every coding of a list of Codings as ` system|code system|code ` (a missing system is empty:
    ` |code `); null when there is none. See dbt/API_MARTS.md, "Search normalization". -#}
{% macro coding_tokens(codings) -%}
  {%- set kept = list_filter(codings, 'c', json_str('c', 'code') ~ ' is not null') -%}
  {%- set each = list_map(kept, 'c', 'coalesce(' ~ json_str('c', 'system') ~ ", '') || '|' || " ~ json_str('c', 'code')) -%}
  nullif(' ' || coalesce({{ list_join(each, ' ') }}, '') || ' ', '  ')
{%- endmacro %}

{#- The tokens of one CodeableConcept at `path` of `expr`. -#}
{% macro codeable_tokens(expr, path) -%}
  {{ coding_tokens(json_list(json_get(expr, path ~ '.coding'))) }}
{%- endmacro %}

{#- The tokens of every CodeableConcept in the array at `path` of `expr` (e.g. `category`). -#}
{% macro codeable_list_tokens(expr, path) -%}
  {%- set concepts = json_list(json_get(expr, path)) -%}
  {{ coding_tokens(list_flatten(list_map(concepts, 'cc', json_list(json_get('cc', 'coding'))))) }}
{%- endmacro %}

{#- Every part of every HumanName in `names` (a JSON array): family, given, prefix, suffix, text. -#}
{% macro human_name_parts(names) -%}
  {{ list_flatten(list_map(json_list(names), 'n', list_concat([
      list_of(json_str('n', 'family')),
      json_strings('n', 'given'),
      json_strings('n', 'prefix'),
      json_strings('n', 'suffix'),
      list_of(json_str('n', 'text'))
  ]))) }}
{%- endmacro %}

{#- Latest version per (organization, id): newest meta.lastUpdated, then the latest load, then the
    last file and row. Used as a `qualify` clause on a raw source. -#}
{% macro latest_version(id_column, last_updated_column) -%}
  qualify row_number() over (
    partition by organization_id, {{ id_column }}
    order by {{ last_updated_column }} desc nulls last, loaded_at desc, source_file desc, source_row desc
  ) = 1
{%- endmacro %}
