{#- One row per build: the gateway keys its caches to build_id. -#}
select
    cast('{{ invocation_id }}' as varchar) as build_id,
    cast({{ utc_now() }} as timestamp) as built_at
