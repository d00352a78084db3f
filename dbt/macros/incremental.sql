{#- Incremental models add what was loaded since their last build. Every growing model carries
    `loaded_at` (when the row's version reached the raw tables); a build takes the rows loaded after
    the newest `loaded_at` it already holds, less `incremental_lookback_minutes` (0 locally, where
    loads and builds never overlap; an hour on Snowflake, where Snowpipe commits files out of order).
    Strategy delete+insert on the model's unique key: a changed resource replaces its row. -#}

{#- The newest load a model already holds, less the lookback. -#}
{% macro incremental_watermark() -%}
  {%- set lookback = var('incremental_lookback_minutes') | int -%}
  {%- set newest = 'max(loaded_at)' if lookback == 0 else dbt.dateadd('minute', -lookback, 'max(loaded_at)') -%}
  (select coalesce({{ newest }}, cast('1900-01-01' as timestamp)) from {{ this }})
{%- endmacro %}

{#- A condition on an upstream model: only the rows that changed since this model's last build
    (`keyword` joins it to the query: `where`, or `and` after a condition of the model's own). -#}
{% macro changed_since_last_build(keyword='where') -%}
  {%- if is_incremental() %}
    {{ keyword }} loaded_at > {{ incremental_watermark() }}
  {%- endif %}
{%- endmacro %}

{#- A post-hook of the incremental models downstream of the vault: removes the resources whose
    latest version in `vault` is a tombstone (the Bulk client lands one per deleted resource).
    `key` is the model's token id column. A full refresh never selects them in the first place. -#}
{% macro remove_deleted_resources(vault, resource_type, source_id, key) -%}
  {%- if is_incremental() -%}
    delete from {{ this }}
    where (organization_id, {{ key }}) in (
        select
            organization_id,
            {{ tokenize('organization_id', resource_type, source_id) }}
        from {{ vault }}
        where is_deleted
    )
  {%- endif -%}
{%- endmacro %}

{#- A `where` clause on a raw source: every version of each resource that has a version loaded
    since this model's last build, so "latest version wins" is decided over all its versions. -#}
{% macro versions_of_changed_resources(raw_relation) -%}
  {%- if is_incremental() %}
    where (organization_id, resource_id) in (
        select organization_id, resource_id from {{ raw_relation }}
        where loaded_at > {{ incremental_watermark() }}
    )
  {%- endif %}
{%- endmacro %}
