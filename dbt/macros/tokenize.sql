{#- The public id of a source id: the first 32 lowercase hex characters of
    SHA-256(salt || '|' || org || '|' || type || '|' || source_id) (dbt/API_MARTS.md, "Tokens";
    the TypeScript twin is src/pseudonyms/pseudonym.ts). `type` is a literal: Patient, Encounter, Observation,
    Condition, or Identifier (then `source_id` is the identifier's value). The salt comes only from
    the environment (FHIR_TOKEN_SALT) and is never committed. -#}
{% macro tokenize(org, type, source_id) %}{{ return(adapter.dispatch('tokenize', 'fhir_gateway')(org, type, source_id)) }}{% endmacro %}

{% macro token_salt() -%}
  '{{ env_var("FHIR_TOKEN_SALT") | replace("'", "''") }}'
{%- endmacro %}

{% macro duckdb__tokenize(org, type, source_id) -%}
  substr(sha256({{ token_salt() }} || '|' || {{ org }} || '|{{ type }}|' || {{ source_id }}), 1, 32)
{%- endmacro %}
{% macro snowflake__tokenize(org, type, source_id) -%}
  substr(sha2({{ token_salt() }} || '|' || {{ org }} || '|{{ type }}|' || {{ source_id }}, 256), 1, 32)
{%- endmacro %}

{#- A stable bigint from a token (OMOP integer keys): its first 15 hex digits (60 bits). -#}
{% macro token_to_bigint(token) %}{{ return(adapter.dispatch('token_to_bigint', 'fhir_gateway')(token)) }}{% endmacro %}
{% macro duckdb__token_to_bigint(token) %}cast('0x' || substr({{ token }}, 1, 15) as bigint){% endmacro %}
{#- Snowflake's `to_number(…, 'XXXXXXXXXXXXXXX')` says the same in one call, but the Snowflake
    stand-in (fakesnow) cannot run a format argument; this sum of the 15 digits' values is plain
    Snowflake (POSITION is 1-based; tokens are lowercase hex) and runs on both. -#}
{% macro snowflake__token_to_bigint(token) -%}
  cast(
    {%- for i in range(15) %}
    {{ '+ ' if not loop.first }}(position(substr({{ token }}, {{ i + 1 }}, 1), '0123456789abcdef') - 1) * {{ 16 ** (14 - i) }}
    {%- endfor %}
  as bigint)
{%- endmacro %}
