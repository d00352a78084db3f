{#- FHIR date/dateTime/instant text to warehouse types. Partial dates (`2020`, `2020-05`) take
    their first day; times with an offset are converted to UTC; the result has no time zone
    (DuckDB `timestamp`, Snowflake `timestamp_ntz`). See https://hl7.org/fhir/R4/datatypes.html#dateTime -#}
{% macro fhir_timestamp(text) %}{{ return(adapter.dispatch('fhir_timestamp', 'fhir_gateway')(text)) }}{% endmacro %}
{% macro duckdb__fhir_timestamp(text) -%}
  case
    when length({{ text }}) = 4 then try_cast({{ text }} || '-01-01' as timestamp)
    when length({{ text }}) = 7 then try_cast({{ text }} || '-01' as timestamp)
    when length({{ text }}) = 10 then try_cast({{ text }} as timestamp)
    else cast(timezone('UTC', try_cast({{ text }} as timestamptz)) as timestamp)
  end
{%- endmacro %}
{% macro snowflake__fhir_timestamp(text) -%}
  case
    when length({{ text }}) = 4 then try_cast({{ text }} || '-01-01' as timestamp_ntz)
    when length({{ text }}) = 7 then try_cast({{ text }} || '-01' as timestamp_ntz)
    when length({{ text }}) = 10 then try_cast({{ text }} as timestamp_ntz)
    else convert_timezone('UTC', try_cast({{ text }} as timestamp_tz))::timestamp_ntz
  end
{%- endmacro %}

{#- FHIR date text to a date (partial dates take their first day). -#}
{% macro fhir_date(text) %}{{ return(adapter.dispatch('fhir_date', 'fhir_gateway')(text)) }}{% endmacro %}
{% macro duckdb__fhir_date(text) -%}
  case
    when length({{ text }}) = 4 then try_cast({{ text }} || '-01-01' as date)
    when length({{ text }}) = 7 then try_cast({{ text }} || '-01' as date)
    else try_cast(substr({{ text }}, 1, 10) as date)
  end
{%- endmacro %}
{% macro snowflake__fhir_date(text) -%}
  case
    when length({{ text }}) = 4 then try_cast({{ text }} || '-01-01' as date)
    when length({{ text }}) = 7 then try_cast({{ text }} || '-01' as date)
    else try_cast(substr({{ text }}, 1, 10) as date)
  end
{%- endmacro %}

{#- A timestamp as FHIR instant text in UTC: `2024-05-01T10:00:00.000Z`. -#}
{% macro fhir_instant(ts) %}{{ return(adapter.dispatch('fhir_instant', 'fhir_gateway')(ts)) }}{% endmacro %}
{% macro duckdb__fhir_instant(ts) %}strftime({{ ts }}, '%Y-%m-%dT%H:%M:%S.%gZ'){% endmacro %}
{% macro snowflake__fhir_instant(ts) %}to_varchar({{ ts }}, 'YYYY-MM-DD"T"HH24:MI:SS.FF3"Z"'){% endmacro %}

{#- The current time as a UTC timestamp without time zone. -#}
{% macro utc_now() %}{{ return(adapter.dispatch('utc_now', 'fhir_gateway')()) }}{% endmacro %}
{% macro duckdb__utc_now() %}cast(timezone('UTC', now()) as timestamp){% endmacro %}
{% macro snowflake__utc_now() %}sysdate(){% endmacro %}

{#- Year / month / day parts and a date from a timestamp. -#}
{% macro date_part_of(part, expr) %}extract({{ part }} from {{ expr }}){% endmacro %}
