{#- OMOP CDM v5.4 DRUG_EXPOSURE, after ETL-Synthea insert_drug_exposure (medications): the RxNorm
    code mapped to its standard concept, start = authoredOn, end = the end of the dosage bounds
    (a stopped or completed course) else the start, type 32838 (EHR prescription), the dosage
    text as `sig`. Unmapped codes keep concept 0; requests in error, cancelled or draft are left
    out. -#}
with medication_requests as (

    select * from {{ ref('int_tokenize_medication_request') }}

),

concepts as (

    select * from {{ ref('omop_concept_map') }}
    where source_vocabulary_id = 'RxNorm'

),

final as (

    select
        cast({{ token_to_bigint('m.medication_request_id') }} as bigint) as drug_exposure_id,
        cast({{ token_to_bigint('m.patient_id') }} as bigint) as person_id,
        cast(coalesce(c.concept_id, 0) as bigint) as drug_concept_id,
        cast(m.authored_on as date) as drug_exposure_start_date,
        cast(m.authored_on as timestamp) as drug_exposure_start_datetime,
        cast(coalesce(m.dosage_end, m.authored_on) as date) as drug_exposure_end_date,
        cast(coalesce(m.dosage_end, m.authored_on) as timestamp) as drug_exposure_end_datetime,
        cast(m.dosage_end as date) as verbatim_end_date,
        cast(32838 as bigint) as drug_type_concept_id,
        cast(case when m.status = 'stopped' then 'stopped' end as varchar) as stop_reason,
        cast(0 as bigint) as refills,
        cast(0 as double) as quantity,
        cast(null as bigint) as days_supply,
        cast(m.dosage_text as varchar) as sig,
        cast(0 as bigint) as route_concept_id,
        cast(null as varchar) as lot_number,
        cast(null as bigint) as provider_id,
        cast({{ token_to_bigint('m.encounter_id') }} as bigint) as visit_occurrence_id,
        cast(null as bigint) as visit_detail_id,
        cast(coalesce(m.rxnorm_code, m.code) as varchar) as drug_source_value,
        cast(coalesce(c.concept_id, 0) as bigint) as drug_source_concept_id,
        cast(null as varchar) as route_source_value,
        cast(null as varchar) as dose_unit_source_value,
        cast(m.organization_id as varchar) as organization_id
    from medication_requests as m
    left join concepts as c
        on m.rxnorm_code = c.source_code
    where m.status not in ('entered-in-error', 'cancelled', 'draft')

)

select * from final
