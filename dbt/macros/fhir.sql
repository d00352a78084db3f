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

{#- The search tokens of a list of ` system|code ` strings (`coding_token`, nulls skipped):
    ` system|code system|code ` (a missing system is empty: ` |code `); null when there is none.
    See dbt/API_MARTS.md, "Search normalization". -#}
{% macro coding_tokens(tokens) -%}
  nullif(' ' || coalesce({{ list_join(tokens, ' ') }}, '') || ' ', '  ')
{%- endmacro %}

{#- `system|code` of one Coding; null when it has no code. -#}
{% macro coding_token(coding) -%}
  coalesce({{ json_str(coding, 'system') }}, '') || '|' || {{ json_str(coding, 'code') }}
{%- endmacro %}

{#- Every part of one HumanName `name`, in order: family, given, prefix, suffix, text. -#}
{% macro human_name_parts(name) -%}
  {{ list_concat([
      list_of(json_str(name, 'family')),
      json_strings(name, 'given'),
      json_strings(name, 'prefix'),
      json_strings(name, 'suffix'),
      list_of(json_str(name, 'text'))
  ]) }}
{%- endmacro %}

{#- Latest version per (organization, id): newest meta.lastUpdated, then the latest load, then the
    last file and row. Used as a `qualify` clause on a raw source. A tombstone can be the latest
    version: the vault keeps it (`is_deleted`) so incremental models downstream remove the
    resource (macros/incremental.sql, remove_deleted_resources). -#}
{% macro latest_version(id_column, last_updated_column) -%}
  qualify row_number() over (
    partition by organization_id, {{ id_column }}
    order by {{ last_updated_column }} desc nulls last, loaded_at desc, source_file desc, source_row desc
  ) = 1
{%- endmacro %}

{#- Whether a raw version is a tombstone: the bulk client lands one per entry of an export's
    `deleted` files, tagged `urn:fhir-gateway:tombstone` (ingestion/bulk/tombstones.ts). -#}
{% macro is_tombstone(resource) -%}
  coalesce({{ json_str(resource, 'meta.tag[0].system') }} = 'urn:fhir-gateway:tombstone', false)
{%- endmacro %}

{#- The version and lineage columns every staging vault model carries: when the resource last
    changed (meta.lastUpdated, else its load time), the raw resource, the file and row it came from,
    and whether this version deletes the resource. -#}
{% macro vault_version_columns() -%}
{{ json_str('raw', 'meta.lastUpdated') }} as meta_last_updated,
        coalesce(
            {{ fhir_timestamp(json_str('raw', 'meta.lastUpdated')) }},
            cast(loaded_at as timestamp)
        ) as last_updated,
        raw as resource,
        source_file,
        source_row,
        cast(loaded_at as timestamp) as loaded_at,
        {{ is_tombstone('raw') }} as is_deleted
{%- endmacro %}
