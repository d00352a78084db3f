{#- Encounters flattened to columns. Latest version per (organization, id); the type tokens are
    added step by step (macros/lists.sql). -#}
{%- set keys = ['organization_id', 'encounter_id'] -%}
{{ config(materialized='incremental', unique_key=keys) }}
with source as (

    select * from {{ source('raw', 'fhir_encounter') }}
    {{ versions_of_changed_resources(source('raw', 'fhir_encounter')) }}

),

renamed as (

    select
        organization_id,
        resource_id as encounter_id,
        {{ fhir_ref_id(json_str('raw', 'subject.reference')) }} as patient_ref_id,
        {{ fhir_ref_id(json_str('raw', 'partOf.reference')) }} as part_of_ref_id,
        {{ json_str('raw', 'serviceProvider.reference') }} as service_provider_reference,
        {{ json_str('raw', 'status') }} as status,
        {{ json_str('raw', 'class.system') }} as class_system,
        {{ json_str('raw', 'class.code') }} as class_code,
        {{ json_str('raw', 'type[0].coding[0].system') }} as type_system,
        {{ json_str('raw', 'type[0].coding[0].code') }} as type_code,
        {{ json_str('raw', 'type[0].coding[0].display') }} as type_display,
        {{ fhir_timestamp(json_str('raw', 'period.start')) }} as period_start,
        {{ fhir_timestamp(json_str('raw', 'period.end')) }} as period_end,
        {{ vault_version_columns() }}
    from source
    where resource_type = 'Encounter'

),

latest as (

    select * from renamed
    {{ latest_version('encounter_id', 'last_updated') }}

),

with_type_codings as (

    {{ with_list_maps('latest', keys, json_list(json_get('resource', 'type')), 'cc', [
        [json_list(json_get('cc', 'coding')), 'type_coding_lists']
    ]) }}

),

with_type_tokens as (

    {{ with_list_maps('with_type_codings', keys, list_flatten('type_coding_lists'), 'c', [
        [coding_token('c'), 'type_token_list']
    ]) }}

),

final as (

    select
        organization_id,
        encounter_id,
        patient_ref_id,
        part_of_ref_id,
        service_provider_reference,
        status,
        class_system,
        class_code,
        type_system,
        type_code,
        type_display,
        {{ coding_tokens('type_token_list') }} as type_tokens,
        period_start,
        period_end,
        meta_last_updated,
        last_updated,
        resource,
        source_file,
        source_row,
        loaded_at,
        is_deleted
    from with_type_tokens

)

select * from final
