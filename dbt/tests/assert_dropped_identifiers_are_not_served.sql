{#- No SSN, driver's licence, passport or unclassified identifier value appears in a served
    Patient, and no retained MRN appears in clear. Returns the offending rows. -#}
with identifiers as (

    select
        organization_id,
        patient_id,
        identifier_kind,
        value
    from {{ ref('stg_vault__patient_identifier') }}
    where value is not null

)

select
    i.organization_id,
    i.identifier_kind
from identifiers as i
inner join {{ ref('dim_patient_api') }} as d
    on
        i.organization_id = d.organization_id
        and d.id = {{ tokenize('i.organization_id', 'Patient', 'i.patient_id') }}
where contains(d.resource, '"' || i.value || '"')
