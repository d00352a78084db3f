{#- Patients flattened to columns; PHI lives here only. Latest version per (organization, id); the
    columns read from arrays (names, extensions) are added step by step (macros/lists.sql). -#}
{%- set keys = ['organization_id', 'patient_id'] -%}
{%- set race_url = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race' -%}
{%- set ethnicity_url = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity' -%}
{{ config(materialized='incremental', unique_key=keys) }}
with source as (

    select * from {{ source('raw', 'fhir_patient') }}
    {{ versions_of_changed_resources(source('raw', 'fhir_patient')) }}

),

renamed as (

    select
        organization_id,
        resource_id as patient_id,
        {{ json_str('raw', 'gender') }} as gender,
        {{ fhir_date(json_str('raw', 'birthDate')) }} as birth_date,
        {{ json_get('raw', 'name') }} as names,
        {{ vault_version_columns() }}
    from source
    where resource_type = 'Patient'

),

latest as (

    select * from renamed
    {{ latest_version('patient_id', 'last_updated') }}

),

with_names as (

    {{ with_list_maps('latest', keys, json_list('names'), 'n', [
        [json_str('n', 'family'), 'families'],
        [json_strings('n', 'given'), 'given_lists'],
        [human_name_parts('n'), 'name_part_lists']
    ]) }}

),

with_official_name as (

    {{ with_first_where('with_names', keys, json_list('names'), 'n', json_str('n', 'use') ~ " = 'official'", 'official_name') }}

),

with_race_extension as (

    {{ with_first_where('with_official_name', keys, json_list(json_get('resource', 'extension')), 'e',
        json_str('e', 'url') ~ " = '" ~ race_url ~ "'", 'race_extension') }}

),

with_ethnicity_extension as (

    {{ with_first_where('with_race_extension', keys, json_list(json_get('resource', 'extension')), 'e',
        json_str('e', 'url') ~ " = '" ~ ethnicity_url ~ "'", 'ethnicity_extension') }}

),

with_race_category as (

    {{ with_first_where('with_ethnicity_extension', keys, json_list(json_get('race_extension', 'extension')), 'x',
        json_str('x', 'url') ~ " = 'ombCategory'", 'race_category') }}

),

with_ethnicity_category as (

    {{ with_first_where('with_race_category', keys, json_list(json_get('ethnicity_extension', 'extension')), 'x',
        json_str('x', 'url') ~ " = 'ombCategory'", 'ethnicity_category') }}

),

named as (

    select
        *,
        coalesce(official_name, {{ json_get('resource', 'name[0]') }}) as primary_name,
        {{ list_flatten('given_lists') }} as givens,
        {{ list_flatten('name_part_lists') }} as name_parts
    from with_ethnicity_category

),

final as (

    select
        organization_id,
        patient_id,
        {{ json_str('primary_name', 'family') }} as family,
        {{ list_join(json_strings('primary_name', 'given'), ' ') }} as given,
        {{ search_text('families') }} as family_search,
        {{ search_text('givens') }} as given_search,
        {{ search_text('name_parts') }} as name_search,
        {{ exact_text('families') }} as family_exact,
        {{ exact_text('givens') }} as given_exact,
        {{ exact_text('name_parts') }} as name_exact,
        birth_date,
        gender,
        {{ json_str('race_category', 'valueCoding.code') }} as race_code,
        {{ json_str('ethnicity_category', 'valueCoding.code') }} as ethnicity_code,
        meta_last_updated,
        last_updated,
        resource,
        source_file,
        source_row,
        loaded_at,
        is_deleted
    from named

)

select * from final
