{#- No source-system id (of the resource itself, its patient or its encounter) appears in a
    served resource, as an id or in a reference. Returns the offending rows. -#}
with patients as (

    select
        'Patient' as resource_type,
        s.organization_id,
        s.patient_id as source_id,
        d.resource
    from {{ ref('stg_vault__patient') }} as s
    inner join {{ ref('dim_patient_api') }} as d
        on
            s.organization_id = d.organization_id
            and d.id = {{ tokenize('s.organization_id', 'Patient', 's.patient_id') }}

),

encounters as (

    select
        'Encounter' as resource_type,
        s.organization_id,
        s.encounter_id as source_id,
        s.patient_ref_id,
        d.resource
    from {{ ref('stg_vault__encounter') }} as s
    inner join {{ ref('fct_encounter_api') }} as d
        on
            s.organization_id = d.organization_id
            and d.id = {{ tokenize('s.organization_id', 'Encounter', 's.encounter_id') }}

),

observations as (

    select
        'Observation' as resource_type,
        s.organization_id,
        s.observation_id as source_id,
        s.patient_ref_id,
        s.encounter_ref_id,
        d.resource
    from {{ ref('stg_vault__observation') }} as s
    inner join {{ ref('fct_observation_api') }} as d
        on
            s.organization_id = d.organization_id
            and d.id = {{ tokenize('s.organization_id', 'Observation', 's.observation_id') }}

),

conditions as (

    select
        'Condition' as resource_type,
        s.organization_id,
        s.condition_id as source_id,
        s.patient_ref_id,
        s.encounter_ref_id,
        d.resource
    from {{ ref('stg_vault__condition') }} as s
    inner join {{ ref('fct_condition_api') }} as d
        on
            s.organization_id = d.organization_id
            and d.id = {{ tokenize('s.organization_id', 'Condition', 's.condition_id') }}

),

medication_requests as (

    select
        'MedicationRequest' as resource_type,
        s.organization_id,
        s.medication_request_id as source_id,
        s.patient_ref_id,
        s.encounter_ref_id,
        d.resource
    from {{ ref('stg_vault__medication_request') }} as s
    inner join {{ ref('fct_medication_request_api') }} as d
        on
            s.organization_id = d.organization_id
            and d.id = {{ tokenize('s.organization_id', 'MedicationRequest', 's.medication_request_id') }}

)

select
    resource_type,
    organization_id
from patients
where {{ source_id_leaks('source_id', 'resource') }}
union all
select
    resource_type,
    organization_id
from encounters
where
    {{ source_id_leaks('source_id', 'resource') }}
    or {{ source_id_leaks('patient_ref_id', 'resource') }}
union all
select
    resource_type,
    organization_id
from observations
where
    {{ source_id_leaks('source_id', 'resource') }}
    or {{ source_id_leaks('patient_ref_id', 'resource') }}
    or {{ source_id_leaks('encounter_ref_id', 'resource') }}
union all
select
    resource_type,
    organization_id
from conditions
where
    {{ source_id_leaks('source_id', 'resource') }}
    or {{ source_id_leaks('patient_ref_id', 'resource') }}
    or {{ source_id_leaks('encounter_ref_id', 'resource') }}
union all
select
    resource_type,
    organization_id
from medication_requests
where
    {{ source_id_leaks('source_id', 'resource') }}
    or {{ source_id_leaks('patient_ref_id', 'resource') }}
    or {{ source_id_leaks('encounter_ref_id', 'resource') }}
