{#- Medication requests flattened to columns. Latest version per (organization, id); the columns
    read from arrays (codings) are added step by step (macros/lists.sql). -#}
{%- set keys = ['organization_id', 'medication_request_id'] -%}
{{ config(materialized='incremental', unique_key=keys) }}
with source as (

    select * from {{ source('raw', 'fhir_medicationrequest') }}
    {{ versions_of_changed_resources(source('raw', 'fhir_medicationrequest')) }}

),

renamed as (

    select
        organization_id,
        resource_id as medication_request_id,
        {{ fhir_ref_id(json_str('raw', 'subject.reference')) }} as patient_ref_id,
        {{ fhir_ref_id(json_str('raw', 'encounter.reference')) }} as encounter_ref_id,
        {{ json_str('raw', 'status') }} as status,
        {{ json_str('raw', 'intent') }} as intent,
        {{ json_str('raw', 'medicationCodeableConcept.coding[0].system') }} as code_system,
        {{ json_str('raw', 'medicationCodeableConcept.coding[0].code') }} as code,
        {{ json_str('raw', 'medicationCodeableConcept.coding[0].display') }} as code_display,
        {{ fhir_timestamp(json_str('raw', 'authoredOn')) }} as authored_on,
        {{ json_str('raw', 'dosageInstruction[0].text') }} as dosage_text,
        {{ fhir_timestamp(json_str('raw', 'dosageInstruction[0].timing.repeat.boundsPeriod.start')) }} as dosage_start,
        {{ fhir_timestamp(json_str('raw', 'dosageInstruction[0].timing.repeat.boundsPeriod.end')) }} as dosage_end,
        {{ vault_version_columns() }}
    from source
    where resource_type = 'MedicationRequest'

),

latest as (

    select * from renamed
    {{ latest_version('medication_request_id', 'last_updated') }}

),

with_code_tokens as (

    {{ with_list_maps('latest', keys, json_list(json_get('resource', 'medicationCodeableConcept.coding')), 'c', [
        [coding_token('c'), 'code_token_list']
    ]) }}

),

with_rxnorm_codings as (

    {{ with_first_where('with_code_tokens', keys,
        json_list(json_get('resource', 'medicationCodeableConcept.coding')), 'c',
        json_str('c', 'system') ~ " = 'http://www.nlm.nih.gov/research/umls/rxnorm'", 'rxnorm_coding') }}

),

final as (

    select
        organization_id,
        medication_request_id,
        patient_ref_id,
        encounter_ref_id,
        status,
        intent,
        code_system,
        code,
        code_display,
        {{ coding_tokens('code_token_list') }} as code_tokens,
        {{ json_str('rxnorm_coding', 'code') }} as rxnorm_code,
        authored_on,
        dosage_text,
        dosage_start,
        dosage_end,
        meta_last_updated,
        last_updated,
        resource,
        source_file,
        source_row,
        loaded_at,
        is_deleted
    from with_rxnorm_codings

)

select * from final
