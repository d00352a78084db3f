-- One pipe per resource type: Snowpipe with AUTO_INGEST loads each new landing file
-- (landing/fhir/org=<org>/type=<Type>/batch=<id>/part-<n>.ndjson) on the bucket's event
-- notification, taking the organization and the type from the object key (METADATA$FILENAME),
-- never from the file's contents, and the line number from METADATA$FILE_ROW_NUMBER.
-- Exactly once per file: the pipe's load history is keyed by the file's path, so a re-delivered
-- notification (or the same key listed again) loads nothing. `create pipe if not exists`, never
-- `create or replace`: replacing a pipe forgets its load history and would load every file again.
-- After creating them, point the bucket's s3:ObjectCreated notification for landing/fhir/ at the
-- pipes' notification_channel (`show pipes in schema fhir_gateway.raw`).

create pipe if not exists fhir_gateway.raw.fhir_organization_pipe
auto_ingest = true
comment = 'Landing Organization NDJSON into raw.fhir_organization, once per file'
as
copy into fhir_gateway.raw.fhir_organization (
    organization_id, resource_type, resource_id, raw, source_file, source_row, loaded_at
)
from (
    select
        regexp_substr(metadata$filename, 'org=([^/]+)/', 1, 1, 'e', 1) as organization_id,
        regexp_substr(metadata$filename, 'type=([^/]+)/', 1, 1, 'e', 1) as resource_type,
        $1:id::varchar as resource_id,
        $1 as raw,
        metadata$filename as source_file,
        metadata$file_row_number as source_row,
        sysdate() as loaded_at
    from @fhir_gateway.raw.landing
)
pattern = '.*org=[^/]+/type=Organization/batch=[^/]+/part-[0-9]+[.]ndjson'
file_format = (format_name = 'fhir_gateway.raw.ndjson');

create pipe if not exists fhir_gateway.raw.fhir_patient_pipe
auto_ingest = true
comment = 'Landing Patient NDJSON into raw.fhir_patient, once per file'
as
copy into fhir_gateway.raw.fhir_patient (
    organization_id, resource_type, resource_id, raw, source_file, source_row, loaded_at
)
from (
    select
        regexp_substr(metadata$filename, 'org=([^/]+)/', 1, 1, 'e', 1) as organization_id,
        regexp_substr(metadata$filename, 'type=([^/]+)/', 1, 1, 'e', 1) as resource_type,
        $1:id::varchar as resource_id,
        $1 as raw,
        metadata$filename as source_file,
        metadata$file_row_number as source_row,
        sysdate() as loaded_at
    from @fhir_gateway.raw.landing
)
pattern = '.*org=[^/]+/type=Patient/batch=[^/]+/part-[0-9]+[.]ndjson'
file_format = (format_name = 'fhir_gateway.raw.ndjson');

create pipe if not exists fhir_gateway.raw.fhir_encounter_pipe
auto_ingest = true
comment = 'Landing Encounter NDJSON into raw.fhir_encounter, once per file'
as
copy into fhir_gateway.raw.fhir_encounter (
    organization_id, resource_type, resource_id, raw, source_file, source_row, loaded_at
)
from (
    select
        regexp_substr(metadata$filename, 'org=([^/]+)/', 1, 1, 'e', 1) as organization_id,
        regexp_substr(metadata$filename, 'type=([^/]+)/', 1, 1, 'e', 1) as resource_type,
        $1:id::varchar as resource_id,
        $1 as raw,
        metadata$filename as source_file,
        metadata$file_row_number as source_row,
        sysdate() as loaded_at
    from @fhir_gateway.raw.landing
)
pattern = '.*org=[^/]+/type=Encounter/batch=[^/]+/part-[0-9]+[.]ndjson'
file_format = (format_name = 'fhir_gateway.raw.ndjson');

create pipe if not exists fhir_gateway.raw.fhir_observation_pipe
auto_ingest = true
comment = 'Landing Observation NDJSON into raw.fhir_observation, once per file'
as
copy into fhir_gateway.raw.fhir_observation (
    organization_id, resource_type, resource_id, raw, source_file, source_row, loaded_at
)
from (
    select
        regexp_substr(metadata$filename, 'org=([^/]+)/', 1, 1, 'e', 1) as organization_id,
        regexp_substr(metadata$filename, 'type=([^/]+)/', 1, 1, 'e', 1) as resource_type,
        $1:id::varchar as resource_id,
        $1 as raw,
        metadata$filename as source_file,
        metadata$file_row_number as source_row,
        sysdate() as loaded_at
    from @fhir_gateway.raw.landing
)
pattern = '.*org=[^/]+/type=Observation/batch=[^/]+/part-[0-9]+[.]ndjson'
file_format = (format_name = 'fhir_gateway.raw.ndjson');

create pipe if not exists fhir_gateway.raw.fhir_condition_pipe
auto_ingest = true
comment = 'Landing Condition NDJSON into raw.fhir_condition, once per file'
as
copy into fhir_gateway.raw.fhir_condition (
    organization_id, resource_type, resource_id, raw, source_file, source_row, loaded_at
)
from (
    select
        regexp_substr(metadata$filename, 'org=([^/]+)/', 1, 1, 'e', 1) as organization_id,
        regexp_substr(metadata$filename, 'type=([^/]+)/', 1, 1, 'e', 1) as resource_type,
        $1:id::varchar as resource_id,
        $1 as raw,
        metadata$filename as source_file,
        metadata$file_row_number as source_row,
        sysdate() as loaded_at
    from @fhir_gateway.raw.landing
)
pattern = '.*org=[^/]+/type=Condition/batch=[^/]+/part-[0-9]+[.]ndjson'
file_format = (format_name = 'fhir_gateway.raw.ndjson');

create pipe if not exists fhir_gateway.raw.fhir_medicationrequest_pipe
auto_ingest = true
comment = 'Landing MedicationRequest NDJSON into raw.fhir_medicationrequest, once per file'
as
copy into fhir_gateway.raw.fhir_medicationrequest (
    organization_id, resource_type, resource_id, raw, source_file, source_row, loaded_at
)
from (
    select
        regexp_substr(metadata$filename, 'org=([^/]+)/', 1, 1, 'e', 1) as organization_id,
        regexp_substr(metadata$filename, 'type=([^/]+)/', 1, 1, 'e', 1) as resource_type,
        $1:id::varchar as resource_id,
        $1 as raw,
        metadata$filename as source_file,
        metadata$file_row_number as source_row,
        sysdate() as loaded_at
    from @fhir_gateway.raw.landing
)
pattern = '.*org=[^/]+/type=MedicationRequest/batch=[^/]+/part-[0-9]+[.]ndjson'
file_format = (format_name = 'fhir_gateway.raw.ndjson');
