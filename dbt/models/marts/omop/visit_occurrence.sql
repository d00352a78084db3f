{#- OMOP CDM v5.4 VISIT_OCCURRENCE, after ETL-Synthea insert_visit_occurrence: AMB → 9202,
    IMP → 9201, EMER → 9203, visit type 44818517, preceding visit by start time. -#}
with encounters as (

    select * from {{ ref('int_tokenize_encounter') }}

),

concepts as (

    select * from {{ ref('omop_concept_map') }}
    where source_vocabulary_id = 'ActCode'

),

visits as (

    select
        cast({{ token_to_bigint('e.encounter_id') }} as bigint) as visit_occurrence_id,
        cast({{ token_to_bigint('e.patient_id') }} as bigint) as person_id,
        cast(coalesce(c.concept_id, 0) as bigint) as visit_concept_id,
        cast(e.period_start as date) as visit_start_date,
        cast(e.period_start as timestamp) as visit_start_datetime,
        cast(coalesce(e.period_end, e.period_start) as date) as visit_end_date,
        cast(coalesce(e.period_end, e.period_start) as timestamp) as visit_end_datetime,
        cast(44818517 as bigint) as visit_type_concept_id,
        cast(null as bigint) as provider_id,
        cast(null as bigint) as care_site_id,
        cast(e.encounter_id as varchar) as visit_source_value,
        cast(0 as bigint) as visit_source_concept_id,
        cast(0 as bigint) as admitted_from_concept_id,
        cast(null as varchar) as admitted_from_source_value,
        cast(0 as bigint) as discharged_to_concept_id,
        cast(null as varchar) as discharged_to_source_value,
        cast(e.organization_id as varchar) as organization_id
    from encounters as e
    left join concepts as c
        on e.class_code = c.source_code
    where e.period_start is not null

),

final as (

    select
        visit_occurrence_id,
        person_id,
        visit_concept_id,
        visit_start_date,
        visit_start_datetime,
        visit_end_date,
        visit_end_datetime,
        visit_type_concept_id,
        provider_id,
        care_site_id,
        visit_source_value,
        visit_source_concept_id,
        admitted_from_concept_id,
        admitted_from_source_value,
        discharged_to_concept_id,
        discharged_to_source_value,
        cast(lag(visit_occurrence_id) over (
            partition by person_id order by visit_start_datetime, visit_occurrence_id
        ) as bigint) as preceding_visit_occurrence_id,
        organization_id
    from visits

)

select * from final
