{#- Patients with token ids, the search columns, and the served resource: token id, retained
    identifiers tokenized (others removed), meta.lastUpdated set. -#}
{{ config(
    materialized='incremental',
    unique_key=['organization_id', 'patient_id'],
    post_hook="{{ remove_deleted_resources(ref('stg_vault__patient'), 'Patient', 'patient_id', 'patient_id') }}"
) }}
with patients as (

    select * from {{ ref('stg_vault__patient') }}
    where not is_deleted
    {{ changed_since_last_build('and') }}

),

identifiers as (

    select
        organization_id,
        patient_id,
        {{ json_agg('identifier', 'identifier_index') }} as identifiers,
        {#- ` system|value_token system|value_token `: the identifier search reads this column, so
            it needs no second table (dbt/API_MARTS.md, "Search normalization"). -#}
        ' ' || {{ text_agg("coalesce(system, '') || '|' || value_token", ' ', 'system, value_token') }} || ' '
            as identifier_tokens
    from {{ ref('int_tokenize_patient_identifier') }}
    group by organization_id, patient_id

),

tokenized as (

    select
        p.*,
        {{ tokenize('p.organization_id', 'Patient', 'p.patient_id') }} as patient_token
    from patients as p

),

final as (

    select
        t.organization_id,
        t.patient_token as patient_id,
        t.family,
        t.given,
        t.family_search,
        t.given_search,
        t.name_search,
        t.family_exact,
        t.given_exact,
        t.name_exact,
        t.birth_date,
        t.gender,
        t.race_code,
        t.ethnicity_code,
        i.identifier_tokens,
        t.last_updated,
        t.loaded_at,
        {{ json_patch('t.resource', [
            ['id', 't.patient_token'],
            ['identifier', 'i.identifiers'],
            ['meta', served_meta('t.resource', 't.meta_last_updated', 't.last_updated')]
        ]) }} as resource
    from tokenized as t
    left join identifiers as i
        on
            t.organization_id = i.organization_id
            and t.patient_token = i.patient_id

)

select * from final
