{#- One row per identifier of the latest Patient version, classified by kind. Identifier values
    are PHI and stay here; the intermediate layer keeps MRN-type identifiers only, tokenized. -#}
with patients as (

    select * from {{ ref('stg_vault__patient') }}
    where not is_deleted

),

flattened as (

    select
        p.organization_id,
        p.patient_id,
        i.index as identifier_index,
        i.value as identifier,
        {{ json_str('i.value', 'system') }} as system,
        {{ json_str('i.value', 'value') }} as value,
        {{ json_str('i.value', 'use') }} as identifier_use,
        {{ json_str('i.value', 'type.coding[0].system') }} as type_system,
        {{ json_str('i.value', 'type.coding[0].code') }} as type_code
    from patients as p
    {{ json_flatten(json_get('p.resource', 'identifier'), 'i') }}

),

final as (

    select
        organization_id,
        patient_id,
        cast(identifier_index as integer) as identifier_index,
        system,
        value,
        identifier_use,
        type_system,
        type_code,
        case
            when type_code = 'SS' or system = 'http://hl7.org/fhir/sid/us-ssn' then 'ssn'
            when type_code = 'DL' or system like 'urn:oid:2.16.840.1.113883.4.3.%' then 'drivers_license'
            when type_code = 'PPN' or lower(system) like '%passport%' then 'passport'
            when type_code = 'MR' then 'mrn'
            else 'other'
        end as identifier_kind,
        identifier
    from flattened

)

select * from final
