{#- Every reference to a Patient, Encounter, Observation, Condition or MedicationRequest in a
    served resource is `Type/<32 hex token>`; no `urn:uuid:` reference survives. Returns the offending rows. -#}
{%- set token_ref = '"reference": ?"(Patient|Encounter|Observation|Condition|MedicationRequest)/[0-9a-f]{32}"' -%}
{%- set other_ref = '"reference": ?"(Patient/|Encounter/|Observation/|Condition/|MedicationRequest/|urn:uuid:)' -%}
with served as (

    select
        'Patient' as resource_type,
        organization_id,
        id,
        resource
    from {{ ref('dim_patient_api') }}
    union all
    select
        'Encounter' as resource_type,
        organization_id,
        id,
        resource
    from {{ ref('fct_encounter_api') }}
    union all
    select
        'Observation' as resource_type,
        organization_id,
        id,
        resource
    from {{ ref('fct_observation_api') }}
    union all
    select
        'Condition' as resource_type,
        organization_id,
        id,
        resource
    from {{ ref('fct_condition_api') }}
    union all
    select
        'MedicationRequest' as resource_type,
        organization_id,
        id,
        resource
    from {{ ref('fct_medication_request_api') }}

)

select
    resource_type,
    organization_id,
    id
from served
where
    {{ regex_contains(regex_replace_all('resource', token_ref, ''), other_ref) }}
    or {{ json_str(json_parse('resource'), 'id') }} <> id
