{#- The served Encounter: dbt/API_MARTS.md, api.fct_encounter_api. -#}
{{ config(
    materialized='incremental',
    unique_key=['organization_id', 'id'],
    post_hook="{{ remove_deleted_resources(ref('stg_vault__encounter'), 'Encounter', 'encounter_id', 'id') }}"
) }}
-- depends_on: {{ ref('stg_vault__encounter') }}
with encounters as (

    select * from {{ ref('int_tokenize_encounter') }}
    {{ changed_since_last_build() }}

),

final as (

    select
        cast(organization_id as varchar) as organization_id,
        cast(encounter_id as varchar) as id,
        cast(patient_id as varchar) as patient_id,
        cast(status as varchar) as status,
        cast(class_code as varchar) as class_code,
        cast(type_system as varchar) as type_system,
        cast(type_code as varchar) as type_code,
        cast(type_tokens as varchar) as type_tokens,
        cast(period_start as timestamp) as period_start,
        cast(period_end as timestamp) as period_end,
        cast(last_updated as timestamp) as last_updated,
        cast(loaded_at as timestamp) as loaded_at,
        cast({{ json_text('resource') }} as varchar) as resource
    from encounters

)

-- Stored in the order the API reads it: one patient's (or encounter's) rows sit together, so a
-- search touches a few vectors instead of the whole table (dbt/README.md, "Serving layout").
select * from final
order by organization_id, patient_id, id
