{#- Conditions flattened to columns. Latest version per (organization, id). -#}
with source as (

    select * from {{ source('raw', 'fhir_condition') }}

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
        {{ codeable_list_tokens('raw', 'category') }} as category_tokens,
        {{ json_str('raw', 'code.coding[0].system') }} as code_system,
        {{ json_str('raw', 'code.coding[0].code') }} as code,
        {{ json_str('raw', 'code.coding[0].display') }} as code_display,
        {{ codeable_tokens('raw', 'code') }} as code_tokens,
        {{ json_str(list_first(list_filter(json_list(json_get('raw', 'code.coding')), 'c', json_str('c', 'system') ~ " = 'http://snomed.info/sct'")), 'code') }} as snomed_code,
        {{ fhir_timestamp('coalesce(' ~ json_str('raw', 'onsetDateTime') ~ ', ' ~ json_str('raw', 'onsetPeriod.start') ~ ')') }} as onset_start,
        {{ fhir_timestamp('coalesce(' ~ json_str('raw', 'abatementDateTime') ~ ', ' ~ json_str('raw', 'abatementPeriod.start') ~ ')') }} as abatement_start,
        {{ fhir_date(json_str('raw', 'recordedDate')) }} as recorded_date,
        {{ json_str('raw', 'meta.lastUpdated') }} as meta_last_updated,
        coalesce(
            {{ fhir_timestamp(json_str('raw', 'meta.lastUpdated')) }},
            cast(loaded_at as timestamp)
        ) as last_updated,
        raw as resource,
        source_file,
        source_row,
        cast(loaded_at as timestamp) as loaded_at
    from source
    where resource_type = 'Condition'

),

final as (

    select * from renamed
    {{ latest_version('condition_id', 'last_updated') }}

)

select * from final
