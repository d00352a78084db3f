{#- Every encounter, observation, condition and medication request points at a patient of the SAME organization
    (the generic relationships tests compare ids only). Returns the offending rows. -#}
with clinical as (

    select
        organization_id,
        id,
        patient_id,
        'Encounter' as resource_type
    from {{ ref('fct_encounter_api') }}
    union all
    select
        organization_id,
        id,
        patient_id,
        'Observation' as resource_type
    from {{ ref('fct_observation_api') }}
    union all
    select
        organization_id,
        id,
        patient_id,
        'Condition' as resource_type
    from {{ ref('fct_condition_api') }}
    union all
    select
        organization_id,
        id,
        patient_id,
        'MedicationRequest' as resource_type
    from {{ ref('fct_medication_request_api') }}

)

select clinical.*
from clinical
left join {{ ref('dim_patient_api') }} as patients
    on
        clinical.organization_id = patients.organization_id
        and clinical.patient_id = patients.id
where patients.id is null
