-- Masking on the direct identifiers that remain in the vault (staging): names, birth dates,
-- identifier values and the raw resources read as PHI only by the transformer (dbt) role; any
-- other role that is granted the vault (support, audits) sees them masked. SSN, driver's licence
-- and passport never leave staging (the intermediates drop them); the api marts hold tokens only.
-- Idempotent: `force` replaces a policy already set on the column.
create masking policy if not exists fhir_gateway.governance.mask_text
as(val varchar) returns varchar ->
case when is_role_in_session('FHIR_TRANSFORMER') then val else '***MASKED***' end;

create masking policy if not exists fhir_gateway.governance.mask_date
as(val date) returns date ->
case when is_role_in_session('FHIR_TRANSFORMER') then val end;

create masking policy if not exists fhir_gateway.governance.mask_variant
as(val variant) returns variant ->
case when is_role_in_session('FHIR_TRANSFORMER') then val end;

alter table if exists fhir_gateway.staging.stg_vault__patient modify
column family set masking policy fhir_gateway.governance.mask_text force,
column given set masking policy fhir_gateway.governance.mask_text force,
column family_search set masking policy fhir_gateway.governance.mask_text force,
column given_search set masking policy fhir_gateway.governance.mask_text force,
column name_search set masking policy fhir_gateway.governance.mask_text force,
column family_exact set masking policy fhir_gateway.governance.mask_text force,
column given_exact set masking policy fhir_gateway.governance.mask_text force,
column name_exact set masking policy fhir_gateway.governance.mask_text force,
column birth_date set masking policy fhir_gateway.governance.mask_date force,
column resource set masking policy fhir_gateway.governance.mask_variant force;

alter table if exists fhir_gateway.staging.stg_vault__patient_identifier modify
column value set masking policy fhir_gateway.governance.mask_text force,
column identifier set masking policy fhir_gateway.governance.mask_variant force;
