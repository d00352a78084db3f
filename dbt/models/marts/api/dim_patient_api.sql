{#- The served Patient: dbt/API_MARTS.md, api.dim_patient_api. -#}
{{ config(
    materialized='incremental',
    unique_key=['organization_id', 'id'],
    post_hook="{{ remove_deleted_resources(ref('stg_vault__patient'), 'Patient', 'patient_id', 'id') }}"
) }}
-- depends_on: {{ ref('stg_vault__patient') }}
with patients as (

    select * from {{ ref('int_tokenize_patient') }}
    {{ changed_since_last_build() }}

),

final as (

    select
        cast(organization_id as varchar) as organization_id,
        cast(patient_id as varchar) as id,
        cast(family as varchar) as family,
        cast(given as varchar) as given,
        cast(family_search as varchar) as family_search,
        cast(given_search as varchar) as given_search,
        cast(name_search as varchar) as name_search,
        cast(family_exact as varchar) as family_exact,
        cast(given_exact as varchar) as given_exact,
        cast(name_exact as varchar) as name_exact,
        cast(birth_date as date) as birth_date,
        cast(gender as varchar) as gender,
        cast(identifier_tokens as varchar) as identifier_tokens,
        cast(last_updated as timestamp) as last_updated,
        cast(loaded_at as timestamp) as loaded_at,
        cast({{ json_text('resource') }} as varchar) as resource
    from patients

)

-- Stored in the order the API reads it: one patient's (or encounter's) rows sit together, so a
-- search touches a few vectors instead of the whole table (dbt/README.md, "Serving layout").
select * from final
order by organization_id, id
