{#- The served Observation: dbt/API_MARTS.md, api.fct_observation_api. -#}
{{ config(
    materialized='incremental',
    unique_key=['organization_id', 'id'],
    post_hook="{{ remove_deleted_resources(ref('stg_vault__observation'), 'Observation', 'observation_id', 'id') }}"
) }}
-- depends_on: {{ ref('stg_vault__observation') }}
with observations as (

    select * from {{ ref('int_tokenize_observation') }}
    {{ changed_since_last_build() }}

),

final as (

    select
        cast(organization_id as varchar) as organization_id,
        cast(observation_id as varchar) as id,
        cast(patient_id as varchar) as patient_id,
        cast(encounter_id as varchar) as encounter_id,
        cast(status as varchar) as status,
        cast(category as varchar) as category,
        cast(category_tokens as varchar) as category_tokens,
        cast(code_system as varchar) as code_system,
        cast(code as varchar) as code,
        cast(code_display as varchar) as code_display,
        cast(code_tokens as varchar) as code_tokens,
        cast(effective_start as timestamp) as effective_start,
        cast(effective_end as timestamp) as effective_end,
        cast(value_quantity as double) as value_quantity,
        cast(value_unit as varchar) as value_unit,
        cast(value_system as varchar) as value_system,
        cast(value_code as varchar) as value_code,
        cast(last_updated as timestamp) as last_updated,
        cast(loaded_at as timestamp) as loaded_at,
        cast({{ json_text('resource') }} as varchar) as resource
    from observations

)

-- Stored in the order the API reads it: one patient's (or encounter's) rows sit together, so a
-- search touches a few vectors instead of the whole table (dbt/README.md, "Serving layout").
select * from final
order by organization_id, patient_id, encounter_id, id
