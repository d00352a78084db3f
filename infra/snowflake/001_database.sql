-- The database and its zones. Idempotent: safe to run again.
-- raw: the loader's tables (Snowpipe); staging: the vault (PHI); intermediate: tokenized;
-- api: the marts the gateway serves; omop: the OMOP view of the same patients.
create database if not exists fhir_gateway;

create schema if not exists fhir_gateway.raw;
create schema if not exists fhir_gateway.staging;
create schema if not exists fhir_gateway.intermediate;
create schema if not exists fhir_gateway.api;
create schema if not exists fhir_gateway.omop;
