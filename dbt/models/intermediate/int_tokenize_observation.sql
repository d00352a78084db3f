{#- Observations with token ids and references, and the served resource. -#}
{{ config(
    materialized='incremental',
    unique_key=['organization_id', 'observation_id'],
    post_hook="{{ remove_deleted_resources(ref('stg_vault__observation'), 'Observation', 'observation_id', 'observation_id') }}"
) }}
with observations as (

    select * from {{ ref('stg_vault__observation') }}
    where not is_deleted
    {{ changed_since_last_build('and') }}

),

tokenized as (

    select
        o.*,
        {{ tokenize('o.organization_id', 'Observation', 'o.observation_id') }} as observation_token,
        {{ tokenize('o.organization_id', 'Patient', 'o.patient_ref_id') }} as patient_token,
        {{ tokenize('o.organization_id', 'Encounter', 'o.encounter_ref_id') }} as encounter_token
    from observations as o

),

final as (

    select
        organization_id,
        observation_token as observation_id,
        patient_token as patient_id,
        encounter_token as encounter_id,
        status,
        category,
        category_tokens,
        code_system,
        code,
        code_display,
        code_tokens,
        effective_start,
        effective_end,
        value_quantity,
        value_unit,
        value_system,
        value_code,
        component_count,
        last_updated,
        loaded_at,
        {{ json_patch('resource', [
            ['id', 'observation_token'],
            ['subject', served_reference('resource', 'subject', 'Patient', 'patient_token')],
            ['encounter', served_reference('resource', 'encounter', 'Encounter', 'encounter_token')],
            ['meta', served_meta('resource', 'meta_last_updated', 'last_updated')]
        ]) }} as resource
    from tokenized

)

select * from final
