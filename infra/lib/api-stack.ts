import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { LogSettings } from './constructs/encrypted-log-group';
import { FhirFunction } from './constructs/fhir-function';
import { GatewayApi } from './constructs/gateway-api';
import { grantLakeAccess, grantSecretsRead } from './constructs/grants';
import {
  EXPORT_JOBS_PREFIX,
  INGESTION_JOBS_PREFIX,
  LANDING_PREFIX,
  lakeBucketName,
  QUARANTINE_PREFIX,
} from './constructs/lake-buckets';
import type { Network } from './constructs/network';
import type { PlatformSecrets } from './constructs/platform-secrets';
import { ApiWebAcl } from './constructs/web-acl';
import type { StageConfig } from './stage-config';

export interface ApiStackProps extends StackProps {
  config: StageConfig;
  network: Network;
  logs: LogSettings;
  dataKey: kms.IKey;
  secrets: PlatformSecrets;
}

/**
 * The gateway: the project's own Hono app (`src/handlers/lambda.ts`) and REQUEST authorizer
 * (`src/handlers/authorizer.ts`) behind API Gateway and a WAF web ACL.
 */
export class ApiStack extends Stack {
  readonly gateway: FhirFunction;
  readonly authorizer: FhirFunction;
  readonly api: GatewayApi;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, secrets } = props;
    const { auth, snowflake } = config;
    // What src/config.ts reads. Both handlers verify tokens the same way.
    const authEnvironment = {
      APP_ENV: 'production',
      LOG_LEVEL: 'info',
      AUTH_MODE: 'jwks',
      AUTH_JWKS_URL: auth.jwksUrl,
      AUTH_ISSUER: auth.issuer,
      AUTH_AUDIENCE: auth.audience,
      ...(auth.orgClaim ? { AUTH_ORG_CLAIM: auth.orgClaim } : {}),
      ...(auth.scopeClaim ? { AUTH_SCOPE_CLAIM: auth.scopeClaim } : {}),
    };
    this.authorizer = new FhirFunction(this, 'Authorizer', {
      entry: 'src/handlers/authorizer.ts',
      description: 'fhir-gateway REQUEST authorizer: verifies the bearer JWT (jose, remote JWKS)',
      network: props.network,
      logs: props.logs,
      environmentKey: props.dataKey,
      memorySize: 256,
      timeout: Duration.seconds(10),
      reservedConcurrency: config.api.reservedConcurrency,
      environment: authEnvironment,
    });
    this.gateway = new FhirFunction(this, 'Gateway', {
      entry: 'src/handlers/lambda.ts',
      description: 'fhir-gateway: GraphQL, REST FHIR, ingestion and Bulk Data export (Hono)',
      network: props.network,
      logs: props.logs,
      environmentKey: props.dataKey,
      memorySize: 1024,
      // API Gateway's own integration limit.
      timeout: Duration.seconds(29),
      reservedConcurrency: config.api.reservedConcurrency,
      assets: ['schema/openapi.yaml'],
      environment: {
        ...authEnvironment,
        // Secrets are passed by ARN, never by value (docs/deploy.md, "Secrets at run time").
        TOKEN_SALT_SECRET_ARN: secrets.tokenSalt.secretArn,
        WAREHOUSE: 'snowflake',
        SNOWFLAKE_ACCOUNT: snowflake.account,
        SNOWFLAKE_USER: snowflake.user,
        SNOWFLAKE_ROLE: snowflake.role,
        SNOWFLAKE_WAREHOUSE: snowflake.warehouse,
        SNOWFLAKE_DATABASE: snowflake.database,
        SNOWFLAKE_PRIVATE_KEY_SECRET_ARN: secrets.snowflakeGatewayKey.secretArn,
        // snowflake-sdk caches under $HOME by default; only /tmp is writable on Lambda.
        SF_OCSP_RESPONSE_CACHE_DIR: '/tmp',
        SF_TEMPORARY_CREDENTIAL_CACHE_DIR: '/tmp',
        OBJECT_STORE: 's3',
        S3_BUCKET: lakeBucketName(config.prefix, 'landing'),
        S3_REGION: this.region,
      },
    });
    grantSecretsRead(this.gateway.role, props.dataKey, [secrets.tokenSalt, secrets.snowflakeGatewayKey]);
    // The app's object store is one bucket: partner uploads and Bundles land (write only), refused
    // lines go to quarantine (and are counted back for job status), ingestion and export jobs keep
    // their records and output files under jobs/. Nothing else in the lake is reachable.
    const lake = config.prefix;
    grantLakeAccess(this.gateway.role, props.dataKey, [
      { lake, bucket: 'landing', prefix: LANDING_PREFIX, access: ['write'] },
      { lake, bucket: 'landing', prefix: QUARANTINE_PREFIX, access: ['read', 'write', 'list'] },
      { lake, bucket: 'landing', prefix: INGESTION_JOBS_PREFIX, access: ['read', 'write', 'delete', 'list'] },
      { lake, bucket: 'landing', prefix: EXPORT_JOBS_PREFIX, access: ['read', 'write', 'delete', 'list'] },
    ]);

    this.api = new GatewayApi(this, 'Api', {
      prefix: config.prefix,
      stageName: config.stage,
      gateway: this.gateway.fn,
      authorizer: this.authorizer.fn,
      authorizerCacheTtlSeconds: auth.authorizerCacheTtlSeconds,
      rateLimit: config.api.rateLimit,
      burstLimit: config.api.burstLimit,
      partners: config.api.partners,
      customDomain: config.api.customDomain,
      logs: props.logs,
    });
    // Links in Bundles and manifests. The execute-api URL is built from the API id (not the stage
    // resource) so that the function does not depend on the deployment that depends on it.
    const publicBaseUrl = config.api.customDomain
      ? `https://${config.api.customDomain.domainName}`
      : `https://${this.api.api.restApiId}.execute-api.${this.region}.${this.urlSuffix}/${config.stage}`;
    this.gateway.fn.addEnvironment('PUBLIC_BASE_URL', publicBaseUrl);

    new ApiWebAcl(this, 'Waf', {
      prefix: config.prefix,
      stageArn: this.api.stage.stageArn,
      ratePer5Minutes: config.api.wafRateLimitPer5Minutes,
      logs: props.logs,
    });
    new CfnOutput(this, 'ApiUrl', { value: publicBaseUrl });
  }
}
