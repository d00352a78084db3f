{#- Resources whose latest version is a tombstone (ingestion API DELETE entries, bulk `deleted`
    files), with their served token ids: the `deleted` list of `_since` exports. Only resources
    with a tombstone among their versions are ranked. -#}
{{ config(materialized='table') }}
{%- set types = ['Patient', 'Encounter', 'Observation', 'Condition', 'MedicationRequest'] %}
with
{%- for type in types %}
    {%- set raw_table = source('raw', 'fhir_' ~ (type | lower)) %}

    {{ type | lower }}_versions as (

        select
            organization_id,
            '{{ type }}' as resource_type,
            {{ tokenize('organization_id', type, 'resource_id') }} as id,
            {{ is_tombstone('raw') }} as is_deleted,
            coalesce(
                {{ fhir_timestamp(json_str('raw', 'meta.lastUpdated')) }},
                cast(loaded_at as timestamp)
            ) as last_updated,
            loaded_at,
            source_file,
            source_row
        from {{ raw_table }}
        where
            (organization_id, resource_id) in (
                select
                    tombstones.organization_id,
                    tombstones.resource_id
                from {{ raw_table }} as tombstones
                where {{ is_tombstone('tombstones.raw') }}
            )

    ),
{%- endfor %}

versions as (
    {%- for type in types %}

        select * from {{ type | lower }}_versions
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

final as (

    select
        organization_id,
        resource_type,
        id,
        last_updated as deleted_at,
        is_deleted
    from versions
    qualify row_number() over (
        partition by organization_id, resource_type, id
        order by last_updated desc nulls last, loaded_at desc, source_file desc, source_row desc
    ) = 1

)

select
    organization_id,
    resource_type,
    id,
    deleted_at
from final
where is_deleted
