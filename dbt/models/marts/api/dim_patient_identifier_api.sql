{#- Retained (MRN-type) identifiers, tokenized: dbt/API_MARTS.md, api.dim_patient_identifier_api. -#}
with identifiers as (

    select * from {{ ref('int_tokenize_patient_identifier') }}

),

final as (

    select distinct
        cast(organization_id as varchar) as organization_id,
        cast(patient_id as varchar) as patient_id,
        cast(system as varchar) as system,
        cast(value_token as varchar) as value_token
    from identifiers

)

-- Stored in the order the API reads it: one patient's (or encounter's) rows sit together, so a
-- search touches a few vectors instead of the whole table (dbt/README.md, "Serving layout").
select * from final
order by organization_id, system, value_token
