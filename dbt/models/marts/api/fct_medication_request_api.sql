{#- The served MedicationRequest: dbt/API_MARTS.md, api.fct_medication_request_api. -#}
{{ config(
    materialized='incremental',
    unique_key=['organization_id', 'id'],
    post_hook="{{ remove_deleted_resources(ref('stg_vault__medication_request'), 'MedicationRequest', 'medication_request_id', 'id') }}"
) }}
-- depends_on: {{ ref('stg_vault__medication_request') }}
with medication_requests as (

    select * from {{ ref('int_tokenize_medication_request') }}
    {{ changed_since_last_build() }}

),

final as (

    select
        cast(organization_id as varchar) as organization_id,
        cast(medication_request_id as varchar) as id,
        cast(patient_id as varchar) as patient_id,
        cast(encounter_id as varchar) as encounter_id,
        cast(status as varchar) as status,
        cast(intent as varchar) as intent,
        cast(code_system as varchar) as code_system,
        cast(code as varchar) as code,
        cast(code_display as varchar) as code_display,
        cast(code_tokens as varchar) as code_tokens,
        cast(authored_on as timestamp) as authored_on,
        cast(last_updated as timestamp) as last_updated,
        cast(loaded_at as timestamp) as loaded_at,
        cast({{ json_text('resource') }} as varchar) as resource
    from medication_requests

)

-- Stored in the order the API reads it: one patient's (or encounter's) rows sit together, so a
-- search touches a few vectors instead of the whole table (dbt/README.md, "Serving layout").
select * from final
order by organization_id, patient_id, encounter_id, id
