{#- Encounters with token ids and references, and the served resource. -#}
{{ config(
    materialized='incremental',
    unique_key=['organization_id', 'encounter_id'],
    post_hook="{{ remove_deleted_resources(ref('stg_vault__encounter'), 'Encounter', 'encounter_id', 'encounter_id') }}"
) }}
with encounters as (

    select * from {{ ref('stg_vault__encounter') }}
    where not is_deleted
    {{ changed_since_last_build('and') }}

),

tokenized as (

    select
        e.*,
        {{ tokenize('e.organization_id', 'Encounter', 'e.encounter_id') }} as encounter_token,
        {{ tokenize('e.organization_id', 'Patient', 'e.patient_ref_id') }} as patient_token,
        {{ tokenize('e.organization_id', 'Encounter', 'e.part_of_ref_id') }} as part_of_token
    from encounters as e

),

final as (

    select
        organization_id,
        encounter_token as encounter_id,
        patient_token as patient_id,
        status,
        class_system,
        class_code,
        type_system,
        type_code,
        type_display,
        type_tokens,
        period_start,
        period_end,
        service_provider_reference,
        last_updated,
        loaded_at,
        {{ json_patch('resource', [
            ['id', 'encounter_token'],
            ['subject', served_reference('resource', 'subject', 'Patient', 'patient_token')],
            ['partOf', served_reference('resource', 'partOf', 'Encounter', 'part_of_token')],
            ['meta', served_meta('resource', 'meta_last_updated', 'last_updated')]
        ]) }} as resource
    from tokenized

)

select * from final
