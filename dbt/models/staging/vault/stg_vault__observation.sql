{#- Observations flattened to columns (components in stg_vault__observation_component).
    Latest version per (organization, id). -#}
with source as (

    select * from {{ source('raw', 'fhir_observation') }}

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
        {{ codeable_list_tokens('raw', 'category') }} as category_tokens,
        {{ json_str('raw', 'code.coding[0].system') }} as code_system,
        {{ json_str('raw', 'code.coding[0].code') }} as code,
        {{ json_str('raw', 'code.coding[0].display') }} as code_display,
        {{ codeable_tokens('raw', 'code') }} as code_tokens,
        {{ fhir_timestamp('coalesce(' ~ json_str('raw', 'effectiveDateTime') ~ ', ' ~ json_str('raw', 'effectiveInstant') ~ ', ' ~ json_str('raw', 'effectivePeriod.start') ~ ')') }} as effective_start,
        {{ fhir_timestamp('coalesce(' ~ json_str('raw', 'effectiveDateTime') ~ ', ' ~ json_str('raw', 'effectiveInstant') ~ ', ' ~ json_str('raw', 'effectivePeriod.end') ~ ')') }} as effective_end,
        {{ json_num('raw', 'valueQuantity.value') }} as value_quantity,
        {{ json_str('raw', 'valueQuantity.unit') }} as value_unit,
        {{ json_str('raw', 'valueQuantity.system') }} as value_system,
        {{ json_str('raw', 'valueQuantity.code') }} as value_code,
        {{ json_str('raw', 'valueString') }} as value_string,
        {{ json_str('raw', 'valueCodeableConcept.coding[0].code') }} as value_concept_code,
        coalesce({{ list_size(json_list(json_get('raw', 'component'))) }}, 0) as component_count,
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
    where resource_type = 'Observation'

),

final as (

    select * from renamed
    {{ latest_version('observation_id', 'last_updated') }}

)

select * from final
