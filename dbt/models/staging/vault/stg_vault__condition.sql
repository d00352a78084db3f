{#- Conditions flattened to columns. Latest version per (organization, id); the columns read from
    arrays (codings) are added step by step (macros/lists.sql). -#}
{%- set keys = ['organization_id', 'condition_id'] -%}
{{ config(materialized='incremental', unique_key=keys) }}
with source as (

    select * from {{ source('raw', 'fhir_condition') }}
    {{ versions_of_changed_resources(source('raw', 'fhir_condition')) }}

),

renamed as (

    select
        organization_id,
        resource_id as condition_id,
        {{ fhir_ref_id(json_str('raw', 'subject.reference')) }} as patient_ref_id,
        {{ fhir_ref_id(json_str('raw', 'encounter.reference')) }} as encounter_ref_id,
        {{ json_str('raw', 'clinicalStatus.coding[0].code') }} as clinical_status,
        {{ json_str('raw', 'verificationStatus.coding[0].code') }} as verification_status,
        {{ json_str('raw', 'category[0].coding[0].code') }} as category,
        {{ json_str('raw', 'code.coding[0].system') }} as code_system,
        {{ json_str('raw', 'code.coding[0].code') }} as code,
        {{ json_str('raw', 'code.coding[0].display') }} as code_display,
        {{ fhir_timestamp('coalesce(' ~ json_str('raw', 'onsetDateTime')
            ~ ', ' ~ json_str('raw', 'onsetPeriod.start') ~ ')') }} as onset_start,
        {{ fhir_timestamp('coalesce(' ~ json_str('raw', 'abatementDateTime')
            ~ ', ' ~ json_str('raw', 'abatementPeriod.start') ~ ')') }} as abatement_start,
        {{ fhir_date(json_str('raw', 'recordedDate')) }} as recorded_date,
        {{ vault_version_columns() }}
    from source
    where resource_type = 'Condition'

),

latest as (

    select * from renamed
    {{ latest_version('condition_id', 'last_updated') }}

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

with_snomed_codings as (

    {{ with_first_where('with_code_tokens', keys, json_list(json_get('resource', 'code.coding')), 'c',
        json_str('c', 'system') ~ " = 'http://snomed.info/sct'", 'snomed_coding') }}

),

final as (

    select
        organization_id,
        condition_id,
        patient_ref_id,
        encounter_ref_id,
        clinical_status,
        verification_status,
        category,
        {{ coding_tokens('category_token_list') }} as category_tokens,
        code_system,
        code,
        code_display,
        {{ coding_tokens('code_token_list') }} as code_tokens,
        {{ json_str('snomed_coding', 'code') }} as snomed_code,
        onset_start,
        abatement_start,
        recorded_date,
        meta_last_updated,
        last_updated,
        resource,
        source_file,
        source_row,
        loaded_at,
        is_deleted
    from with_snomed_codings

)

select * from final
