/**
 * What differs between deployments, as typed props. `bin/app.ts` picks one stage (dev or prod),
 * fills in the account and region from the environment, and hands the pieces to the stacks;
 * nothing below `bin/` reads the environment. Values here are not secrets: secrets live in
 * Secrets Manager and are only referenced by ARN.
 */

/** A FHIR server the bulk-ingestion flow pulls from on a schedule (FHIR Bulk Data `$export`). */
export interface BulkSourceConfig {
  /** Short name: `[a-z0-9-]`, used in resource names. */
  name: string;
  /** The organization (tenant) the pulled data lands under: `landing/fhir/org=<organizationId>/...`. */
  organizationId: string;
  /** The FHIR base URL `$export` is called on. */
  fhirBaseUrl: string;
  /** `system`, `patient` or `group:<id>`. */
  level: 'system' | 'patient' | `group:${string}`;
  /** An EventBridge schedule expression, e.g. `cron(0 3 * * ? *)`. */
  schedule: string;
  /** Resource types to export (`_type`); all the server has when absent. */
  types?: string[];
}

/**
 * The SMART Backend Services client the bulk handlers authenticate as (`BULK_CLIENT_ID`; one
 * registration, the same at every source). Its private key lives in Secrets Manager.
 */
export interface BulkClientConfig {
  clientId: string;
  /** The `kid` of the key in the client's published JWKS. */
  keyId?: string;
  keyAlgorithm?: 'RS384' | 'ES384';
  scope?: string;
}

/** A partner of the REST API: one API key and one usage plan (throttle + quota) each. */
export interface PartnerConfig {
  /** Short name: `[a-z0-9-]`. */
  name: string;
  /** Steady-state requests per second. */
  rateLimit: number;
  /** Burst bucket size. */
  burstLimit: number;
  /** Requests per day; unlimited when absent. */
  quotaPerDay?: number;
}

/** An optional custom domain in front of the API (regional endpoint, TLS 1.2). */
export interface CustomDomainConfig {
  domainName: string;
  /** An ACM certificate in the stack's region covering `domainName`. */
  certificateArn: string;
  /** When given, an alias A record is created in this Route 53 zone. */
  hostedZone?: { hostedZoneId: string; zoneName: string };
}

/** Snowflake objects the AWS side points at (created by the scripts in `infra/snowflake/`). */
export interface SnowflakeConfig {
  /** Account identifier, `<org>-<account>`. */
  account: string;
  /** The gateway's service user (key-pair auth), its role (SELECT on `api` only) and warehouse. */
  user: string;
  role: string;
  warehouse: string;
  /** The dbt runner's user, role (reads raw, builds the models) and warehouse. */
  dbtUser: string;
  dbtRole: string;
  dbtWarehouse: string;
  database: string;
  /**
   * The SQS queue of the pipe with AUTO_INGEST (`SHOW PIPES` → `notification_channel`). Absent on
   * the first deploy (the pipe needs the stage, the stage the bucket); landing notifications are
   * added once it is set.
   */
  pipeQueueArn?: string;
  /**
   * The storage integration's Snowflake-side identity (`DESC INTEGRATION` →
   * `STORAGE_AWS_IAM_USER_ARN`, `STORAGE_AWS_EXTERNAL_ID`). Until set, the integration role trusts
   * nobody outside the account.
   */
  storageIntegration?: { iamUserArn: string; externalId: string };
}

/** The identity provider that issues partners' bearer tokens. */
export interface AuthConfig {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** The shortest token lifetime the issuer grants; the authorizer cache TTL may not exceed it. */
  tokenLifetimeSeconds: number;
  /** API Gateway's authorizer result cache (0 disables it); at most `tokenLifetimeSeconds` and 3600. */
  authorizerCacheTtlSeconds: number;
  /** Claims carrying the organization and the SMART scopes, when the issuer names them otherwise. */
  orgClaim?: string;
  scopeClaim?: string;
}

export interface StageConfig {
  stage: 'dev' | 'prod';
  /** Prefix of physical names: `fhir-gateway-<stage>`. */
  prefix: string;
  /** Whether data stores survive `cdk destroy` (always in prod). */
  retainData: boolean;
  /** CloudWatch Logs retention in days. */
  logRetentionDays: number;
  /** Days the S3 server access logs are kept. */
  accessLogRetentionDays: number;
  /** NAT gateways of the VPC (one per AZ in prod). */
  natGateways: number;
  auth: AuthConfig;
  snowflake: SnowflakeConfig;
  api: {
    /** Stage-wide throttle (requests per second and burst). */
    rateLimit: number;
    burstLimit: number;
    /** Requests per 5 minutes per client IP before the WAF blocks it. */
    wafRateLimitPer5Minutes: number;
    /** Reserved concurrency of the gateway and of the authorizer function. */
    reservedConcurrency: number;
    /** p99 latency (ms) above which the latency alarm fires. */
    latencyAlarmMs: number;
    partners: PartnerConfig[];
    customDomain?: CustomDomainConfig;
  };
  bulk: { client?: BulkClientConfig; sources: BulkSourceConfig[]; reservedConcurrency: number };
  dbt: {
    /** When dbt builds besides after files land. */
    schedule: string;
    /**
     * How long landed files' build requests are collected into one build: long enough for
     * Snowpipe to load them, short enough for fresh data (1–300 s).
     */
    batchingSeconds: number;
    cpu: number;
    memoryMiB: number;
  };
  /** Where alarms are emailed (an SNS subscription); none when absent. */
  alarmEmail?: string;
}

/** The users, roles, warehouses and database `infra/snowflake/` creates (001, 005), by name. */
export const SNOWFLAKE_OBJECTS = {
  user: 'FHIR_GATEWAY_API',
  role: 'API_READER',
  warehouse: 'FHIR_API_WH',
  dbtUser: 'FHIR_GATEWAY_DBT',
  dbtRole: 'FHIR_TRANSFORMER',
  dbtWarehouse: 'FHIR_TRANSFORM_WH',
  database: 'FHIR_GATEWAY',
} as const;

const SHARED_AUTH = { audience: 'fhir-gateway', tokenLifetimeSeconds: 900, authorizerCacheTtlSeconds: 300 };

/**
 * The two stages. Replace the `example.*` values with your identity provider, Snowflake account
 * and sources before deploying (docs/deploy.md walks through each one).
 */
export const STAGES: Record<StageConfig['stage'], StageConfig> = {
  dev: {
    stage: 'dev',
    prefix: 'fhir-gateway-dev',
    retainData: false,
    logRetentionDays: 30,
    accessLogRetentionDays: 90,
    natGateways: 1,
    auth: {
      ...SHARED_AUTH,
      jwksUrl: 'https://idp.example.com/.well-known/jwks.json',
      issuer: 'https://idp.example.com/',
    },
    snowflake: { ...SNOWFLAKE_OBJECTS, account: 'example-dev' },
    api: {
      rateLimit: 50,
      burstLimit: 100,
      wafRateLimitPer5Minutes: 2000,
      reservedConcurrency: 10,
      latencyAlarmMs: 3000,
      partners: [{ name: 'sandbox', rateLimit: 10, burstLimit: 20, quotaPerDay: 50_000 }],
    },
    bulk: {
      reservedConcurrency: 5,
      client: { clientId: 'fhir-gateway-dev', keyAlgorithm: 'RS384' },
      sources: [
        {
          name: 'smart-sandbox',
          organizationId: 'org-1',
          fhirBaseUrl: 'https://bulk-data.smarthealthit.org/fhir',
          level: 'system',
          schedule: 'cron(0 4 * * ? *)',
        },
      ],
    },
    dbt: { schedule: 'cron(0 6 * * ? *)', batchingSeconds: 120, cpu: 1024, memoryMiB: 2048 },
  },
  prod: {
    stage: 'prod',
    prefix: 'fhir-gateway-prod',
    retainData: true,
    // HIPAA asks for six years of audit records (45 CFR 164.316(b)(2)).
    logRetentionDays: 2192,
    accessLogRetentionDays: 2192,
    natGateways: 2,
    auth: {
      ...SHARED_AUTH,
      jwksUrl: 'https://idp.example.com/.well-known/jwks.json',
      issuer: 'https://idp.example.com/',
    },
    snowflake: { ...SNOWFLAKE_OBJECTS, account: 'example-prod' },
    api: {
      rateLimit: 500,
      burstLimit: 1000,
      wafRateLimitPer5Minutes: 10_000,
      reservedConcurrency: 100,
      latencyAlarmMs: 2000,
      partners: [],
    },
    bulk: { reservedConcurrency: 10, sources: [] },
    dbt: { schedule: 'cron(0 */6 * * ? *)', batchingSeconds: 120, cpu: 2048, memoryMiB: 4096 },
  },
};

/** Refuses a configuration that would deploy something unsafe or unnamed. */
export function validateStageConfig(config: StageConfig): StageConfig {
  const { auth } = config;
  if (auth.authorizerCacheTtlSeconds > Math.min(auth.tokenLifetimeSeconds, 3600)) {
    throw new Error(
      `authorizerCacheTtlSeconds (${auth.authorizerCacheTtlSeconds}) must not exceed the token lifetime ` +
        `(${auth.tokenLifetimeSeconds} s) or API Gateway's 3600 s: a cached decision would outlive the token`,
    );
  }
  const { batchingSeconds } = config.dbt;
  // A pipe batching more than 10 SQS messages needs a window of at least 1 s; Pipes allow ≤ 300 s.
  if (!Number.isInteger(batchingSeconds) || batchingSeconds < 1 || batchingSeconds > 300) {
    throw new Error(
      `dbt.batchingSeconds (${batchingSeconds}) must be a whole number of seconds from 1 to 300`,
    );
  }
  const NAME = /^[a-z0-9][a-z0-9-]{0,30}$/;
  for (const { name } of [...config.bulk.sources, ...config.api.partners]) {
    if (!NAME.test(name))
      throw new Error(`"${name}" is not a valid source or partner name ([a-z0-9-], ≤ 31)`);
  }
  return config;
}
