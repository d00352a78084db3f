-- Masking on the direct identifiers that remain in the vault (staging): names, birth dates,
-- identifier values and the raw resources read as PHI only by the transformer (dbt) role; any
-- other role that is granted the vault (support, audits) sees them masked. SSN, driver's licence
-- and passport never leave staging (the intermediates drop them); the api marts hold tokens only.
-- This script creates the policies and lets the transformer apply them; dbt sets them on the
-- columns each time it builds a vault model (dbt/macros/masking.sql: the columns whose
-- `meta.masking_policy` names a policy below), so a rebuilt table or view is never unmasked.
-- Idempotent.
create masking policy if not exists fhir_gateway.governance.mask_text
as(val varchar) returns varchar ->
case when is_role_in_session('FHIR_TRANSFORMER') then val else '***MASKED***' end;

create masking policy if not exists fhir_gateway.governance.mask_date
as(val date) returns date ->
case when is_role_in_session('FHIR_TRANSFORMER') then val end;

create masking policy if not exists fhir_gateway.governance.mask_variant
as(val variant) returns variant ->
case when is_role_in_session('FHIR_TRANSFORMER') then val end;

grant apply on masking policy fhir_gateway.governance.mask_text to role fhir_transformer;
grant apply on masking policy fhir_gateway.governance.mask_date to role fhir_transformer;
grant apply on masking policy fhir_gateway.governance.mask_variant to role fhir_transformer;
