{#- Retained (MRN-type) identifiers with their values tokenized: token(org, 'Identifier', value).
    SSN, driver's licence, passport and unclassified identifiers are dropped here. -#}
with identifiers as (

    select * from {{ ref('stg_vault__patient_identifier') }}

),

retained as (

    select
        organization_id,
        {{ tokenize('organization_id', 'Patient', 'patient_id') }} as patient_id,
        identifier_index,
        system,
        {{ tokenize('organization_id', 'Identifier', 'value') }} as value_token,
        type_code,
        identifier
    from identifiers
    where
        identifier_kind = 'mrn'
        and type_code in ('{{ var("retained_identifier_types") | join("', '") }}')
        and value is not null

),

final as (

    select
        organization_id,
        patient_id,
        identifier_index,
        system,
        value_token,
        type_code,
        {{ json_patch('identifier', [['value', 'value_token']]) }} as identifier
    from retained

)

select * from final
