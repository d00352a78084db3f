-- The raw zone: one table per resource type, the warehouse contract (ARCHITECTURE.md,
-- ingestion/loader/raw-schema.ts). Snowpipe fills them (005_pipes.sql); a file loads once.
-- Idempotent: `if not exists` leaves a filled table as it is.

create table if not exists fhir_gateway.raw.fhir_organization (
    organization_id varchar not null,
    resource_type varchar not null,
    resource_id varchar not null,
    raw variant not null,
    source_file varchar not null,
    source_row number(10, 0) not null,
    loaded_at timestamp_ntz not null default current_timestamp()
);

create table if not exists fhir_gateway.raw.fhir_patient (
    organization_id varchar not null,
    resource_type varchar not null,
    resource_id varchar not null,
    raw variant not null,
    source_file varchar not null,
    source_row number(10, 0) not null,
    loaded_at timestamp_ntz not null default current_timestamp()
);

create table if not exists fhir_gateway.raw.fhir_encounter (
    organization_id varchar not null,
    resource_type varchar not null,
    resource_id varchar not null,
    raw variant not null,
    source_file varchar not null,
    source_row number(10, 0) not null,
    loaded_at timestamp_ntz not null default current_timestamp()
);

create table if not exists fhir_gateway.raw.fhir_observation (
    organization_id varchar not null,
    resource_type varchar not null,
    resource_id varchar not null,
    raw variant not null,
    source_file varchar not null,
    source_row number(10, 0) not null,
    loaded_at timestamp_ntz not null default current_timestamp()
);

create table if not exists fhir_gateway.raw.fhir_condition (
    organization_id varchar not null,
    resource_type varchar not null,
    resource_id varchar not null,
    raw variant not null,
    source_file varchar not null,
    source_row number(10, 0) not null,
    loaded_at timestamp_ntz not null default current_timestamp()
);

create table if not exists fhir_gateway.raw.fhir_medicationrequest (
    organization_id varchar not null,
    resource_type varchar not null,
    resource_id varchar not null,
    raw variant not null,
    source_file varchar not null,
    source_row number(10, 0) not null,
    loaded_at timestamp_ntz not null default current_timestamp()
);
