{#- Observations flattened to columns (components in stg_vault__observation_component).
    Latest version per (organization, id); the coding tokens are added step by step
    (macros/lists.sql). -#}
{%- set keys = ['organization_id', 'observation_id'] -%}
{{ config(materialized='incremental', unique_key=keys) }}
with source as (

    select * from {{ source('raw', 'fhir_observation') }}
    {{ versions_of_changed_resources(source('raw', 'fhir_observation')) }}

),

renamed as (

    select
        organization_id,
        resource_id as observation_id,
        {{ fhir_ref_id(json_str('raw', 'subject.reference')) }} as patient_ref_id,
        {{ fhir_ref_id(json_str('raw', 'encounter.reference')) }} as encounter_ref_id,
        {{ json_str('raw', 'status') }} as status,
        {{ json_str('raw', 'category[0].coding[0].system') }} as category_system,
        {{ json_str('raw', 'category[0].coding[0].code') }} as category,
        {{ json_str('raw', 'code.coding[0].system') }} as code_system,
        {{ json_str('raw', 'code.coding[0].code') }} as code,
        {{ json_str('raw', 'code.coding[0].display') }} as code_display,
        {{ fhir_timestamp('coalesce(' ~ json_str('raw', 'effectiveDateTime') ~ ', ' ~ json_str('raw', 'effectiveInstant')
            ~ ', ' ~ json_str('raw', 'effectivePeriod.start') ~ ')') }} as effective_start,
        {{ fhir_timestamp('coalesce(' ~ json_str('raw', 'effectiveDateTime') ~ ', ' ~ json_str('raw', 'effectiveInstant')
            ~ ', ' ~ json_str('raw', 'effectivePeriod.end') ~ ')') }} as effective_end,
        {{ json_num('raw', 'valueQuantity.value') }} as value_quantity,
        {{ json_str('raw', 'valueQuantity.unit') }} as value_unit,
        {{ json_str('raw', 'valueQuantity.system') }} as value_system,
        {{ json_str('raw', 'valueQuantity.code') }} as value_code,
        {{ json_str('raw', 'valueString') }} as value_string,
        {{ json_str('raw', 'valueCodeableConcept.coding[0].code') }} as value_concept_code,
        coalesce({{ list_size(json_list(json_get('raw', 'component'))) }}, 0) as component_count,
        {{ vault_version_columns() }}
    from source
    where resource_type = 'Observation'

),

latest as (

    select * from renamed
    {{ latest_version('observation_id', 'last_updated') }}

),

with_category_codings as (

    {{ with_list_maps('latest', keys, json_list(json_get('resource', 'category')), 'cc', [
        [json_list(json_get('cc', 'coding')), 'category_coding_lists']
    ]) }}

),

with_category_tokens as (

    {{ with_list_maps('with_category_codings', keys, list_flatten('category_coding_lists'), 'c', [
        [coding_token('c'), 'category_token_list']
    ]) }}

),

with_code_tokens as (

    {{ with_list_maps('with_category_tokens', keys, json_list(json_get('resource', 'code.coding')), 'c', [
        [coding_token('c'), 'code_token_list']
    ]) }}

),

final as (

    select
        organization_id,
        observation_id,
        patient_ref_id,
        encounter_ref_id,
        status,
        category_system,
        category,
        {{ coding_tokens('category_token_list') }} as category_tokens,
        code_system,
        code,
        code_display,
        {{ coding_tokens('code_token_list') }} as code_tokens,
        effective_start,
        effective_end,
        value_quantity,
        value_unit,
        value_system,
        value_code,
        value_string,
        value_concept_code,
        component_count,
        meta_last_updated,
        last_updated,
        resource,
        source_file,
        source_row,
        loaded_at,
        is_deleted
    from with_code_tokens

)

select * from final
