-- Roles, warehouses and grants. Idempotent (`if not exists`; grants are no-ops when held).
--   fhir_loader       owns the pipes: writes raw, reads the landing stage. Nothing else.
--   fhir_transformer  dbt (ECS Fargate): reads raw, builds staging, intermediate, api and omop.
--   api_reader        the gateway: SELECT on api only (no raw, no vault); no direct database
--                     reads besides it (the seed plan's rule).
-- Run as a role holding CREATE ROLE, CREATE WAREHOUSE and MANAGE GRANTS (e.g. SECURITYADMIN
-- with SYSADMIN for the objects).
create role if not exists fhir_loader;
create role if not exists fhir_transformer;
create role if not exists api_reader;

create warehouse if not exists fhir_transform_wh
warehouse_size = xsmall auto_suspend = 60 auto_resume = true initially_suspended = true;
create warehouse if not exists fhir_api_wh
warehouse_size = xsmall auto_suspend = 60 auto_resume = true initially_suspended = true;

grant usage on database fhir_gateway to role fhir_loader;
grant usage on database fhir_gateway to role fhir_transformer;
grant usage on database fhir_gateway to role api_reader;

-- Loader: the raw tables, the stage, the file format and the pipes.
grant usage on schema fhir_gateway.raw to role fhir_loader;
grant insert, select on all tables in schema fhir_gateway.raw to role fhir_loader;
grant insert, select on future tables in schema fhir_gateway.raw to role fhir_loader;
grant usage on stage fhir_gateway.raw.landing to role fhir_loader;
grant usage on file format fhir_gateway.raw.ndjson to role fhir_loader;
grant create pipe on schema fhir_gateway.raw to role fhir_loader;

-- Transformer: reads raw, owns what dbt builds.
grant usage on warehouse fhir_transform_wh to role fhir_transformer;
grant usage on schema fhir_gateway.raw to role fhir_transformer;
grant select on all tables in schema fhir_gateway.raw to role fhir_transformer;
grant select on future tables in schema fhir_gateway.raw to role fhir_transformer;
grant usage, create table, create view on schema fhir_gateway.staging to role fhir_transformer;
grant usage, create table, create view on schema fhir_gateway.intermediate to role fhir_transformer;
grant usage, create table, create view on schema fhir_gateway.api to role fhir_transformer;
grant usage, create table, create view on schema fhir_gateway.omop to role fhir_transformer;

-- API reader: the api marts and nothing else.
grant usage on warehouse fhir_api_wh to role api_reader;
grant usage on schema fhir_gateway.api to role api_reader;
grant select on all tables in schema fhir_gateway.api to role api_reader;
grant select on future tables in schema fhir_gateway.api to role api_reader;
grant select on all views in schema fhir_gateway.api to role api_reader;
grant select on future views in schema fhir_gateway.api to role api_reader;

-- Service users log in with key pairs only (no password): set each one's public key with
-- `alter user ... set rsa_public_key = '...'` (the private key lives in Secrets Manager).
create user if not exists fhir_gateway_api
    type = service default_role = api_reader default_warehouse = fhir_api_wh;
create user if not exists fhir_gateway_dbt
    type = service default_role = fhir_transformer default_warehouse = fhir_transform_wh;
grant role api_reader to user fhir_gateway_api;
grant role fhir_transformer to user fhir_gateway_dbt;
