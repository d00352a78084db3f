import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';
import { grantLakeAccess } from './grants';
import { EXPORT_PREFIX, LANDING_PREFIX, lakeBucketName } from './lake-buckets';

export interface SnowflakeIntegrationRoleProps {
  /** Physical role name, fixed so that `CREATE STORAGE INTEGRATION` can name it before it exists. */
  roleName: string;
  /** The lake's name prefix (`fhir-gateway-<stage>`). */
  lake: string;
  key: kms.IKey;
  /** From `DESC INTEGRATION`; until given, the role trusts only this account (nobody assumes it). */
  trust?: { iamUserArn: string; externalId: string };
}

/**
 * The IAM role Snowflake's storage integration assumes: read the landing prefix (the external
 * stage Snowpipe loads from) and write Bulk Data exports (`COPY INTO @export_stage`), nothing else.
 * See: https://docs.snowflake.com/en/user-guide/data-load-s3-config-storage-integration
 */
export class SnowflakeIntegrationRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: SnowflakeIntegrationRoleProps) {
    super(scope, id);
    const principal = props.trust
      ? new iam.ArnPrincipal(props.trust.iamUserArn).withConditions({
          StringEquals: { 'sts:ExternalId': props.trust.externalId },
        })
      : new iam.AccountRootPrincipal().withConditions({
          StringEquals: { 'sts:ExternalId': `pending-${Stack.of(this).account}` },
        });
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      assumedBy: principal,
      description: 'Snowflake storage integration: reads landing/fhir/, writes Bulk Data exports',
    });
    grantLakeAccess(this.role, props.key, [
      { lake: props.lake, bucket: 'landing', prefix: LANDING_PREFIX, access: ['read', 'list'] },
      {
        lake: props.lake,
        bucket: 'export',
        prefix: EXPORT_PREFIX,
        access: ['read', 'write', 'delete', 'list'],
      },
    ]);
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetBucketLocation'],
        resources: (['landing', 'export'] as const).map(
          (kind) => `arn:${Aws.PARTITION}:s3:::${lakeBucketName(props.lake, kind)}`,
        ),
      }),
    );
    acknowledge(this.role, [
      {
        id: 'HIPAA.Security-IAMNoInlinePolicy',
        reason: 'Generated for this role alone; Snowflake assumes nothing else.',
      },
    ]);
  }
}
