{#- Conditions with token ids and references, and the served resource. -#}
{{ config(
    materialized='incremental',
    unique_key=['organization_id', 'condition_id'],
    post_hook="{{ remove_deleted_resources(ref('stg_vault__condition'), 'Condition', 'condition_id', 'condition_id') }}"
) }}
with conditions as (

    select * from {{ ref('stg_vault__condition') }}
    where not is_deleted
    {{ changed_since_last_build('and') }}

),

tokenized as (

    select
        c.*,
        {{ tokenize('c.organization_id', 'Condition', 'c.condition_id') }} as condition_token,
        {{ tokenize('c.organization_id', 'Patient', 'c.patient_ref_id') }} as patient_token,
        {{ tokenize('c.organization_id', 'Encounter', 'c.encounter_ref_id') }} as encounter_token
    from conditions as c

),

final as (

    select
        organization_id,
        condition_token as condition_id,
        patient_token as patient_id,
        encounter_token as encounter_id,
        clinical_status,
        verification_status,
        category,
        category_tokens,
        code_system,
        code,
        code_display,
        code_tokens,
        snomed_code,
        onset_start,
        abatement_start,
        recorded_date,
        last_updated,
        loaded_at,
        {{ json_patch('resource', [
            ['id', 'condition_token'],
            ['subject', served_reference('resource', 'subject', 'Patient', 'patient_token')],
            ['encounter', served_reference('resource', 'encounter', 'Encounter', 'encounter_token')],
            ['meta', served_meta('resource', 'meta_last_updated', 'last_updated')]
        ]) }} as resource
    from tokenized

)

select * from final
