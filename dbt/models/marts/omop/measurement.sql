{#- OMOP CDM v5.4 MEASUREMENT, after ETL-Synthea insert_measurement (LOINC observations): the
    LOINC code and UCUM unit mapped to standard concepts, type 38000267. A blood-pressure panel
    contributes one row per component (systolic 8480-6, diastolic 8462-4), as Synthea's CSV does. -#}
with observations as (

    select * from {{ ref('int_tokenize_observation') }}

),

components as (

    select
        organization_id,
        {{ tokenize('organization_id', 'Observation', 'observation_id') }} as observation_id,
        component_index,
        code,
        value_quantity,
        value_code
    from {{ ref('stg_vault__observation_component') }}

),

concepts as (

    select * from {{ ref('omop_concept_map') }}

),

valued as (

    select
        o.organization_id,
        o.observation_id as measurement_key,
        o.patient_id,
        o.encounter_id,
        o.effective_start,
        o.code,
        o.value_quantity,
        o.value_code
    from observations as o
    where
        o.value_quantity is not null
        and o.status not in ('cancelled', 'entered-in-error')

    union all

    select
        o.organization_id,
        {{ tokenize('o.organization_id', 'Observation',
            "o.observation_id || '#' || cast(c.component_index as varchar)") }} as measurement_key,
        o.patient_id,
        o.encounter_id,
        o.effective_start,
        c.code,
        c.value_quantity,
        c.value_code
    from observations as o
    inner join components as c
        on
            o.organization_id = c.organization_id
            and o.observation_id = c.observation_id
    where
        c.value_quantity is not null
        and o.status not in ('cancelled', 'entered-in-error')

),

final as (

    select
        cast({{ token_to_bigint('v.measurement_key') }} as bigint) as measurement_id,
        cast({{ token_to_bigint('v.patient_id') }} as bigint) as person_id,
        cast(coalesce(m.concept_id, 0) as bigint) as measurement_concept_id,
        cast(v.effective_start as date) as measurement_date,
        cast(v.effective_start as timestamp) as measurement_datetime,
        cast(null as varchar) as measurement_time,
        cast(38000267 as bigint) as measurement_type_concept_id,
        cast(0 as bigint) as operator_concept_id,
        cast(v.value_quantity as double) as value_as_number,
        cast(0 as bigint) as value_as_concept_id,
        cast(coalesce(u.concept_id, 0) as bigint) as unit_concept_id,
        cast(null as double) as range_low,
        cast(null as double) as range_high,
        cast(null as bigint) as provider_id,
        cast({{ token_to_bigint('v.encounter_id') }} as bigint) as visit_occurrence_id,
        cast(null as bigint) as visit_detail_id,
        cast(v.code as varchar) as measurement_source_value,
        cast(coalesce(m.concept_id, 0) as bigint) as measurement_source_concept_id,
        cast(v.value_code as varchar) as unit_source_value,
        cast(v.value_quantity as varchar) as value_source_value,
        cast(v.organization_id as varchar) as organization_id
    from valued as v
    left join concepts as m
        on m.source_vocabulary_id = 'LOINC' and v.code = m.source_code
    left join concepts as u
        on u.source_vocabulary_id = 'UCUM' and v.value_code = u.source_code
    where v.effective_start is not null

)

select * from final
