{#- OMOP CDM v5.4 PERSON, after OHDSI ETL-Synthea insert_person: gender 8507/8532, race
    8527/8516/8515, ethnicity 38003563. Keys derive from tokens (never source ids);
    organization_id is kept so analyses stay tenant-scoped. -#}
with patients as (

    select * from {{ ref('int_tokenize_patient') }}

),

concepts as (

    select * from {{ ref('omop_concept_map') }}

),

final as (

    select
        cast({{ token_to_bigint('p.patient_id') }} as bigint) as person_id,
        cast(coalesce(g.concept_id, 0) as bigint) as gender_concept_id,
        cast({{ date_part_of('year', 'p.birth_date') }} as integer) as year_of_birth,
        cast({{ date_part_of('month', 'p.birth_date') }} as integer) as month_of_birth,
        cast({{ date_part_of('day', 'p.birth_date') }} as integer) as day_of_birth,
        cast(p.birth_date as timestamp) as birth_datetime,
        cast(coalesce(r.concept_id, 0) as bigint) as race_concept_id,
        cast(coalesce(e.concept_id, 0) as bigint) as ethnicity_concept_id,
        cast(null as bigint) as location_id,
        cast(null as bigint) as provider_id,
        cast(null as bigint) as care_site_id,
        cast(p.patient_id as varchar) as person_source_value,
        cast(p.gender as varchar) as gender_source_value,
        cast(0 as bigint) as gender_source_concept_id,
        cast(p.race_code as varchar) as race_source_value,
        cast(0 as bigint) as race_source_concept_id,
        cast(p.ethnicity_code as varchar) as ethnicity_source_value,
        cast(0 as bigint) as ethnicity_source_concept_id,
        cast(p.organization_id as varchar) as organization_id
    from patients as p
    left join concepts as g
        on g.source_vocabulary_id = 'Gender' and p.gender = g.source_code
    left join concepts as r
        on r.source_vocabulary_id = 'Race' and p.race_code = r.source_code
    left join concepts as e
        on e.source_vocabulary_id = 'Ethnicity' and p.ethnicity_code = e.source_code
    where p.birth_date is not null

)

select * from final
