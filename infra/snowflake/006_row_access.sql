-- A second line of organization isolation under the gateway's own `organization_id = ?`: a row
-- access policy on every api mart lets a role see only the organizations it is entitled to
-- (governance.org_entitlements), the transformer (dbt, which builds the marts) seeing all.
-- The gateway's api_reader is entitled to the tenants it serves; an analyst or partner role
-- only to its own. Idempotent. Run it before the first dbt build: dbt creates every api mart
-- with this policy attached (`+row_access_policy` in dbt/dbt_project.yml, written by
-- dbt-snowflake into the `create or replace table` itself), so each rebuild keeps it; the
-- transformer needs APPLY on the policy for that.
create schema if not exists fhir_gateway.governance;

create table if not exists fhir_gateway.governance.org_entitlements (
    role_name varchar not null,
    organization_id varchar not null
);

use schema fhir_gateway.governance;

create row access policy if not exists organization_rows
as(row_organization_id varchar) returns boolean ->
is_role_in_session('FHIR_TRANSFORMER')
or exists (
    select 1
    from fhir_gateway.governance.org_entitlements as e
    where e.organization_id = row_organization_id and is_role_in_session(e.role_name)
);

grant usage on schema fhir_gateway.governance to role fhir_transformer;
grant apply on row access policy fhir_gateway.governance.organization_rows to role fhir_transformer;
