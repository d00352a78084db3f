-- A second line of organization isolation under the gateway's own `organization_id = ?`: a row
-- access policy on every api mart lets a role see only the organizations it is entitled to
-- (governance.org_entitlements), the transformer (dbt, which builds the marts) seeing all.
-- The gateway's api_reader is entitled to the tenants it serves; an analyst or partner role
-- only to its own. Idempotent. dbt's table marts are rebuilt (`create or replace`) on every run,
-- which drops their policies: the dbt task runs this script after each build (README "Snowflake").
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

alter table fhir_gateway.api.dim_patient_api drop all row access policies;
alter table fhir_gateway.api.dim_patient_api
add row access policy fhir_gateway.governance.organization_rows on (organization_id);
alter table fhir_gateway.api.dim_patient_identifier_api drop all row access policies;
alter table fhir_gateway.api.dim_patient_identifier_api
add row access policy fhir_gateway.governance.organization_rows on (organization_id);
alter table fhir_gateway.api.fct_encounter_api drop all row access policies;
alter table fhir_gateway.api.fct_encounter_api
add row access policy fhir_gateway.governance.organization_rows on (organization_id);
alter table fhir_gateway.api.fct_observation_api drop all row access policies;
alter table fhir_gateway.api.fct_observation_api
add row access policy fhir_gateway.governance.organization_rows on (organization_id);
alter table fhir_gateway.api.fct_condition_api drop all row access policies;
alter table fhir_gateway.api.fct_condition_api
add row access policy fhir_gateway.governance.organization_rows on (organization_id);
alter table fhir_gateway.api.fct_medication_request_api drop all row access policies;
alter table fhir_gateway.api.fct_medication_request_api
add row access policy fhir_gateway.governance.organization_rows on (organization_id);
