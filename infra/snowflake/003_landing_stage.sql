-- The landing bucket as an external stage: a storage integration (Snowflake assumes an IAM role
-- of ours; no keys in Snowflake), the NDJSON file format and the stage over landing/fhir/.
-- Replace the role ARN and bucket with the deployment's (the CDK stack outputs them), then run
-- `describe integration fhir_gateway_landing` and trust its STORAGE_AWS_IAM_USER_ARN and
-- STORAGE_AWS_EXTERNAL_ID in the role. Idempotent.
create storage integration if not exists fhir_gateway_landing
type = external_stage
storage_provider = 's3'
enabled = true
storage_aws_role_arn = 'arn:aws:iam::000000000000:role/fhir-gateway-snowflake-landing'
storage_allowed_locations = ('s3://fhir-gateway-landing/landing/fhir/');

-- One FHIR resource per line (NDJSON); a line that is not JSON fails its file, which the pipe
-- reports in its load history (the gateway quarantines bad lines before they land).
create file format if not exists fhir_gateway.raw.ndjson
type = json
strip_outer_array = false
compression = auto;

create stage if not exists fhir_gateway.raw.landing
    storage_integration = fhir_gateway_landing
    url = 's3://fhir-gateway-landing/landing/fhir/'
    file_format = fhir_gateway.raw.ndjson;
