{#- One row per component of the latest Observation version (blood pressure: systolic 8480-6 and
    diastolic 8462-4 of the 85354-9 panel). -#}
with observations as (

    select * from {{ ref('stg_vault__observation') }}
    where not is_deleted

),

flattened as (

    select
        o.organization_id,
        o.observation_id,
        o.patient_ref_id,
        o.encounter_ref_id,
        o.effective_start,
        c.index as component_index,
        c.value as component,
        {{ json_str('c.value', 'code.coding[0].system') }} as code_system,
        {{ json_str('c.value', 'code.coding[0].code') }} as code,
        {{ json_str('c.value', 'code.coding[0].display') }} as code_display,
        {{ json_num('c.value', 'valueQuantity.value') }} as value_quantity,
        {{ json_str('c.value', 'valueQuantity.unit') }} as value_unit,
        {{ json_str('c.value', 'valueQuantity.system') }} as value_system,
        {{ json_str('c.value', 'valueQuantity.code') }} as value_code
    from observations as o
    {{ json_flatten(json_get('o.resource', 'component'), 'c') }}

),

with_code_tokens as (

    {{ with_list_maps('flattened', ['organization_id', 'observation_id', 'component_index'],
        json_list(json_get('component', 'code.coding')), 'c', [
        [coding_token('c'), 'code_token_list']
    ]) }}

),

final as (

    select
        organization_id,
        observation_id,
        cast(component_index as integer) as component_index,
        patient_ref_id,
        encounter_ref_id,
        effective_start,
        code_system,
        code,
        code_display,
        {{ coding_tokens('code_token_list') }} as code_tokens,
        value_quantity,
        value_unit,
        value_system,
        value_code
    from with_code_tokens

)

select * from final
