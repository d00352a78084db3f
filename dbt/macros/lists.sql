{#- Lists (DuckDB) / arrays (Snowflake).

    Per-element work (map, filter) has no lambdas in the Snowflake SQL: Snowflake has them, but
    CI's SQLFluff (1.4.5) cannot parse them, and the compiled SQL must parse. So it is written as
    a query step, `with_list_maps` / `with_first_where`: the rows of `relation` with new columns
    computed from the elements of the array `list`. DuckDB keeps its one-pass list lambdas (views
    stay cheap: unused columns are never computed); Snowflake flattens the array
    (`lateral flatten`), filters and aggregates per row (`array_agg ... within group`, `min_by`)
    and joins that back by `keys` (column names unique per row of `relation`).
    `var` names the element in the SQL of `expr` / `cond` (usually built with the json_* macros);
    `list` is SQL over the unqualified columns of `relation`.

    Snowflake's scalar list macros (`list_flatten`, `list_concat`, `list_join`) use no array
    function either (`array_flatten`, `array_cat`, `array_compact`, `array_to_string`): each is a
    correlated scalar subquery over `table(flatten(...))` that aggregates (`array_agg` / `listagg
    ... within group`) without GROUP BY, so it returns one row, the kind of correlated subquery
    Snowflake supports (docs: "Working with Subqueries"). The emulator the suites build on
    (fakesnow) keeps ARRAY/VARIANT as DuckDB JSON and runs FLATTEN and the aggregates on it, but
    not the array functions (dbt/README.md, "dbt-snowflake on the stand-in"). Such a subquery is
    never an aggregate's argument nor FLATTEN's input: `with_list_maps` computes each element's
    values before it aggregates them, and `list_elements` computes `list` before it flattens it. -#}

{#- `relation` plus, for each [expr, column] of `columns`, `column`: the list of `expr` per element of
    `list`, in order. A NULL `expr` is kept by DuckDB and dropped by Snowflake, and an empty or
    absent list is NULL on Snowflake: consumers (`list_join`, `list_flatten`) treat both alike. -#}
{% macro with_list_maps(relation, keys, list, var, columns) %}{{ return(adapter.dispatch('with_list_maps', 'fhir_gateway')(relation, keys, list, var, columns)) }}{% endmacro %}
{% macro duckdb__with_list_maps(relation, keys, list, var, columns) -%}
    select
        *,
        {%- for c in columns %}
        list_transform({{ list }}, {{ var }} -> {{ c[0] }}) as {{ c[1] }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ relation }}
{%- endmacro %}
{% macro snowflake__with_list_maps(relation, keys, list, var, columns) -%}
    select
        {{ relation }}.*,
        {%- for c in columns %}
        {{ var }}_elements.{{ c[1] }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ relation }}
    left join (
        select
            {{ keys | join(', ') }},
            {%- for c in columns %}
            array_agg({{ c[1] }}) within group (order by {{ var }}_index) as {{ c[1] }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from (
            select
                {{ keys | join(', ') }},
                {%- for c in columns %}
                {{ c[0] }} as {{ c[1] }},
                {%- endfor %}
                {{ var }}_index
            from (
                {{ list_elements(relation, keys, list, var) | indent(16) }}
            ) as elements
        ) as element_values
        group by {{ keys | join(', ') }}
    ) as {{ var }}_elements using ({{ keys | join(', ') }})
{%- endmacro %}

{#- `relation` plus `column`: the first element of `list` for which `cond` holds (NULL if none). -#}
{% macro with_first_where(relation, keys, list, var, cond, column) %}{{ return(adapter.dispatch('with_first_where', 'fhir_gateway')(relation, keys, list, var, cond, column)) }}{% endmacro %}
{% macro duckdb__with_first_where(relation, keys, list, var, cond, column) -%}
    select
        *,
        (list_filter({{ list }}, {{ var }} -> {{ cond }}))[1] as {{ column }}
    from {{ relation }}
{%- endmacro %}
{% macro snowflake__with_first_where(relation, keys, list, var, cond, column) -%}
    select
        {{ relation }}.*,
        {{ var }}_elements.{{ column }}
    from {{ relation }}
    left join (
        select
            {{ keys | join(', ') }},
            min_by({{ var }}, {{ var }}_index) as {{ column }}
        from (
            {{ list_elements(relation, keys, list, var) | indent(12) }}
        ) as elements
        where {{ cond }}
        group by {{ keys | join(', ') }}
    ) as {{ var }}_elements using ({{ keys | join(', ') }})
{%- endmacro %}

{#- Snowflake: one row per element of `list`: `keys`, the element as `var`, its 0-based position as
    `<var>_index`. -#}
{% macro list_elements(relation, keys, list, var) -%}
select {% for k in keys %}listed.{{ k }}, {% endfor %}f.value as {{ var }}, f.index as {{ var }}_index
from (select {% for k in keys %}{{ k }}, {% endfor %}{{ list }} as {{ var }}_list from {{ relation }}) as listed,
    lateral flatten(input => listed.{{ var }}_list) as f
{%- endmacro %}

{#- A list of lists made one list. -#}
{% macro list_flatten(list) %}{{ return(adapter.dispatch('list_flatten', 'fhir_gateway')(list)) }}{% endmacro %}
{% macro duckdb__list_flatten(list) %}flatten({{ list }}){% endmacro %}
{% macro snowflake__list_flatten(list) -%}
  iff({{ list }} is null, null, (
    select array_agg(inner_list.value) within group (order by outer_list.index, inner_list.index)
    from table(flatten(input => {{ list }})) as outer_list, lateral flatten(input => outer_list.value) as inner_list
  ))
{%- endmacro %}

{#- Concatenates the lists in `lists` (a Jinja list of SQL list expressions). -#}
{% macro list_concat(lists) %}{{ return(adapter.dispatch('list_concat', 'fhir_gateway')(lists)) }}{% endmacro %}
{% macro duckdb__list_concat(lists) %}list_concat({{ lists | join(', ') }}){% endmacro %}
{% macro snowflake__list_concat(lists) -%}
  {{ snowflake__list_flatten('array_construct(' ~ lists | join(', ') ~ ')') }}
{%- endmacro %}

{#- A one-element list holding a scalar string. -#}
{% macro list_of(expr) %}{{ return(adapter.dispatch('list_of', 'fhir_gateway')(expr)) }}{% endmacro %}
{% macro duckdb__list_of(expr) %}[{{ expr }}]{% endmacro %}
{% macro snowflake__list_of(expr) %}array_construct({{ expr }}){% endmacro %}

{#- The strings of a list joined by `sep`, nulls skipped. -#}
{% macro list_join(list, sep) %}{{ return(adapter.dispatch('list_join', 'fhir_gateway')(list, sep)) }}{% endmacro %}
{% macro duckdb__list_join(list, sep) %}array_to_string(list_filter({{ list }}, x -> x is not null), '{{ sep }}'){% endmacro %}
{% macro snowflake__list_join(list, sep) -%}
  iff({{ list }} is null, null, coalesce((
    select listagg(element.value::varchar, '{{ sep }}') within group (order by element.index)
    from table(flatten(input => {{ list }})) as element
  ), ''))
{%- endmacro %}

{#- Number of elements (0 for an empty list, null for null). -#}
{% macro list_size(list) %}{{ return(adapter.dispatch('list_size', 'fhir_gateway')(list)) }}{% endmacro %}
{% macro duckdb__list_size(list) %}len({{ list }}){% endmacro %}
{% macro snowflake__list_size(list) %}array_size({{ list }}){% endmacro %}
