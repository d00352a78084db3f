{#- OMOP CDM v5.4 CONDITION_OCCURRENCE, after ETL-Synthea insert_condition_occurrence: the SNOMED
    code mapped to its standard concept, start = onset, end = abatement, type 32020 (EHR
    encounter diagnosis). Unmapped codes keep concept 0 instead of being dropped. -#}
with conditions as (

    select * from {{ ref('int_tokenize_condition') }}

),

concepts as (

    select * from {{ ref('omop_concept_map') }}
    where source_vocabulary_id = 'SNOMED'

),

final as (

    select
        cast({{ token_to_bigint('c.condition_id') }} as bigint) as condition_occurrence_id,
        cast({{ token_to_bigint('c.patient_id') }} as bigint) as person_id,
        cast(coalesce(m.concept_id, 0) as bigint) as condition_concept_id,
        cast(coalesce(c.onset_start, cast(c.recorded_date as timestamp)) as date) as condition_start_date,
        cast(coalesce(c.onset_start, cast(c.recorded_date as timestamp)) as timestamp) as condition_start_datetime,
        cast(c.abatement_start as date) as condition_end_date,
        cast(c.abatement_start as timestamp) as condition_end_datetime,
        cast(32020 as bigint) as condition_type_concept_id,
        cast(null as varchar) as stop_reason,
        cast(null as bigint) as provider_id,
        cast({{ token_to_bigint('c.encounter_id') }} as bigint) as visit_occurrence_id,
        cast(null as bigint) as visit_detail_id,
        cast(coalesce(c.snomed_code, c.code) as varchar) as condition_source_value,
        cast(coalesce(m.concept_id, 0) as bigint) as condition_source_concept_id,
        cast(c.clinical_status as varchar) as condition_status_source_value,
        cast(0 as bigint) as condition_status_concept_id,
        cast(c.organization_id as varchar) as organization_id
    from conditions as c
    left join concepts as m
        on c.snomed_code = m.source_code
    where coalesce(c.verification_status, 'confirmed') not in ('refuted', 'entered-in-error')

)

select * from final
