{#- Medication requests with token ids and references, and the served resource. -#}
{{ config(
    materialized='incremental',
    unique_key=['organization_id', 'medication_request_id'],
    post_hook="{{ remove_deleted_resources(ref('stg_vault__medication_request'), 'MedicationRequest', 'medication_request_id', 'medication_request_id') }}"
) }}
with medication_requests as (

    select * from {{ ref('stg_vault__medication_request') }}
    where not is_deleted
    {{ changed_since_last_build('and') }}

),

tokenized as (

    select
        m.*,
        {{ tokenize('m.organization_id', 'MedicationRequest', 'm.medication_request_id') }} as medication_request_token,
        {{ tokenize('m.organization_id', 'Patient', 'm.patient_ref_id') }} as patient_token,
        {{ tokenize('m.organization_id', 'Encounter', 'm.encounter_ref_id') }} as encounter_token
    from medication_requests as m

),

final as (

    select
        organization_id,
        medication_request_token as medication_request_id,
        patient_token as patient_id,
        encounter_token as encounter_id,
        status,
        intent,
        code_system,
        code,
        code_display,
        code_tokens,
        rxnorm_code,
        authored_on,
        dosage_text,
        dosage_start,
        dosage_end,
        last_updated,
        loaded_at,
        {{ json_patch('resource', [
            ['id', 'medication_request_token'],
            ['subject', served_reference('resource', 'subject', 'Patient', 'patient_token')],
            ['encounter', served_reference('resource', 'encounter', 'Encounter', 'encounter_token')],
            ['meta', served_meta('resource', 'meta_last_updated', 'last_updated')]
        ]) }} as resource
    from tokenized

)

select * from final
