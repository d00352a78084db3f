{#- One row per build: the gateway keys its caches to build_id. No organization, so no row access
    policy (dbt_project.yml). -#}
{{ config(row_access_policy=none) }}
select
    cast('{{ invocation_id }}' as varchar) as build_id,
    cast({{ utc_now() }} as timestamp) as built_at
