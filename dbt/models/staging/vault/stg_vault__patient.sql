{#- Patients flattened to columns; PHI lives here only. Latest version per (organization, id). -#}
with source as (

    select * from {{ source('raw', 'fhir_patient') }}

),

renamed as (

    select
        organization_id,
        resource_id as patient_id,
        raw as resource,
        source_file,
        source_row,
        cast(loaded_at as timestamp) as loaded_at,
        {{ json_str('raw', 'meta.lastUpdated') }} as meta_last_updated,
        coalesce(
            {{ fhir_timestamp(json_str('raw', 'meta.lastUpdated')) }},
            cast(loaded_at as timestamp)
        ) as last_updated,
        {{ json_str('raw', 'gender') }} as gender,
        {{ fhir_date(json_str('raw', 'birthDate')) }} as birth_date,
        {{ json_get('raw', 'name') }} as names,
        coalesce(
            {{ list_first(list_filter(json_list(json_get('raw', 'name')), 'n', json_str('n', 'use') ~ " = 'official'")) }},
            {{ json_get('raw', 'name[0]') }}
        ) as primary_name,
        {{ list_first(list_filter(json_list(json_get('raw', 'extension')), 'e', json_str('e', 'url') ~ " = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race'")) }} as race_extension,
        {{ list_first(list_filter(json_list(json_get('raw', 'extension')), 'e', json_str('e', 'url') ~ " = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity'")) }} as ethnicity_extension
    from source
    where resource_type = 'Patient'

),

latest as (

    select * from renamed
    {{ latest_version('patient_id', 'last_updated') }}

),

final as (

    select
        organization_id,
        patient_id,
        {{ json_str('primary_name', 'family') }} as family,
        {{ list_join(json_strings('primary_name', 'given'), ' ') }} as given,
        {{ search_text(list_map(json_list('names'), 'n', json_str('n', 'family'))) }} as family_search,
        {{ search_text(list_flatten(list_map(json_list('names'), 'n', json_strings('n', 'given')))) }} as given_search,
        {{ search_text(human_name_parts('names')) }} as name_search,
        {{ exact_text(list_map(json_list('names'), 'n', json_str('n', 'family'))) }} as family_exact,
        {{ exact_text(list_flatten(list_map(json_list('names'), 'n', json_strings('n', 'given')))) }} as given_exact,
        {{ exact_text(human_name_parts('names')) }} as name_exact,
        birth_date,
        gender,
        {{ json_str(list_first(list_filter(json_list(json_get('race_extension', 'extension')), 'x', json_str('x', 'url') ~ " = 'ombCategory'")), 'valueCoding.code') }} as race_code,
        {{ json_str(list_first(list_filter(json_list(json_get('ethnicity_extension', 'extension')), 'x', json_str('x', 'url') ~ " = 'ombCategory'")), 'valueCoding.code') }} as ethnicity_code,
        meta_last_updated,
        last_updated,
        resource,
        source_file,
        source_row,
        loaded_at
    from latest

)

select * from final
