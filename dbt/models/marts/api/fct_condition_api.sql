{#- The served Condition: dbt/API_MARTS.md, api.fct_condition_api. -#}
{{ config(
    materialized='incremental',
    unique_key=['organization_id', 'id'],
    post_hook="{{ remove_deleted_resources(ref('stg_vault__condition'), 'Condition', 'condition_id', 'id') }}"
) }}
-- depends_on: {{ ref('stg_vault__condition') }}
with conditions as (

    select * from {{ ref('int_tokenize_condition') }}
    {{ changed_since_last_build() }}

),

final as (

    select
        cast(organization_id as varchar) as organization_id,
        cast(condition_id as varchar) as id,
        cast(patient_id as varchar) as patient_id,
        cast(encounter_id as varchar) as encounter_id,
        cast(clinical_status as varchar) as clinical_status,
        cast(verification_status as varchar) as verification_status,
        cast(category_tokens as varchar) as category_tokens,
        cast(code_system as varchar) as code_system,
        cast(code as varchar) as code,
        cast(code_display as varchar) as code_display,
        cast(code_tokens as varchar) as code_tokens,
        cast(onset_start as timestamp) as onset_start,
        cast(abatement_start as timestamp) as abatement_start,
        cast(recorded_date as date) as recorded_date,
        cast(last_updated as timestamp) as last_updated,
        cast(loaded_at as timestamp) as loaded_at,
        cast({{ json_text('resource') }} as varchar) as resource
    from conditions

)

-- Stored in the order the API reads it: one patient's (or encounter's) rows sit together, so a
-- search touches a few vectors instead of the whole table (dbt/README.md, "Serving layout").
select * from final
order by organization_id, patient_id, encounter_id, id
