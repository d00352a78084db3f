import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';
import type { CustomDomainConfig, PartnerConfig } from '../stage-config';
import { createLogGroup, type LogSettings } from './encrypted-log-group';

/** NDJSON (Bulk Data files, partner uploads) and gzip pass through API Gateway as binary. */
export const BINARY_MEDIA_TYPES = [
  'application/fhir+ndjson',
  'application/ndjson',
  'application/x-ndjson',
  'application/gzip',
];

export interface GatewayApiProps {
  prefix: string;
  stageName: string;
  gateway: lambda.IFunction;
  authorizer: lambda.IFunction;
  /** ≤ the shortest token lifetime (checked by `validateStageConfig`). */
  authorizerCacheTtlSeconds: number;
  rateLimit: number;
  burstLimit: number;
  partners: PartnerConfig[];
  customDomain?: CustomDomainConfig;
  logs: LogSettings;
}

/**
 * Who called what, and how it went — never the query string (search values such as names and
 * birth dates are PHI) nor any header but the caller's IP and user agent.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: apigw.AccessLogField.contextRequestId(),
  extendedRequestId: apigw.AccessLogField.contextExtendedRequestId(),
  requestTime: apigw.AccessLogField.contextRequestTimeEpoch(),
  sourceIp: apigw.AccessLogField.contextIdentitySourceIp(),
  userAgent: apigw.AccessLogField.contextIdentityUserAgent(),
  method: apigw.AccessLogField.contextHttpMethod(),
  // The path only: ids in it are public tokens, never source ids.
  path: apigw.AccessLogField.contextPath(),
  status: apigw.AccessLogField.contextStatus(),
  responseLength: apigw.AccessLogField.contextResponseLength(),
  responseLatency: apigw.AccessLogField.contextResponseLatency(),
  integrationLatency: apigw.AccessLogField.contextIntegrationLatency(),
  organizationId: apigw.AccessLogField.contextAuthorizer('organizationId'),
  clientId: apigw.AccessLogField.contextAuthorizer('clientId'),
  apiKeyId: apigw.AccessLogField.contextIdentityApiKeyId(),
  authorizerError: apigw.AccessLogField.contextAuthorizerError(),
  wafStatus: apigw.AccessLogField.contextWafResponseCode(),
  xrayTraceId: apigw.AccessLogField.contextXrayTraceId(),
};

/** API Gateway's own refusals, answered as FHIR OperationOutcomes like the gateway's. */
const GATEWAY_RESPONSES: { type: apigw.ResponseType; status: string; code: string; text: string }[] = [
  { type: apigw.ResponseType.UNAUTHORIZED, status: '401', code: 'login', text: 'Authentication required' },
  { type: apigw.ResponseType.ACCESS_DENIED, status: '403', code: 'forbidden', text: 'Access denied' },
  { type: apigw.ResponseType.WAF_FILTERED, status: '403', code: 'forbidden', text: 'Request refused' },
  { type: apigw.ResponseType.THROTTLED, status: '429', code: 'throttled', text: 'Too many requests' },
  { type: apigw.ResponseType.QUOTA_EXCEEDED, status: '429', code: 'throttled', text: 'Quota exceeded' },
  { type: apigw.ResponseType.DEFAULT_4XX, status: '400', code: 'invalid', text: 'Bad request' },
  { type: apigw.ResponseType.DEFAULT_5XX, status: '502', code: 'exception', text: 'Service unavailable' },
];

/**
 * The public REST API: `ANY /` and `ANY /{proxy+}` into the gateway Lambda (which routes GraphQL,
 * `/v1/fhir`, `/v1/ingestion` and `/v1/export` itself), every method behind the REQUEST
 * authorizer, access logs without query strings, stage and per-partner throttling.
 */
export class GatewayApi extends Construct {
  readonly api: apigw.RestApi;
  readonly stage: apigw.Stage;
  readonly accessLogs: ReturnType<typeof createLogGroup>;

  constructor(scope: Construct, id: string, props: GatewayApiProps) {
    super(scope, id);
    this.accessLogs = createLogGroup(this, 'AccessLogs', props.logs);
    const withKeys = props.partners.length > 0;
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: `${props.prefix}-api`,
      description: 'fhir-gateway: GraphQL, REST FHIR, ingestion and Bulk Data export',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      binaryMediaTypes: BINARY_MEDIA_TYPES,
      disableExecuteApiEndpoint: props.customDomain !== undefined,
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      apiKeySourceType: apigw.ApiKeySourceType.HEADER,
      deployOptions: {
        stageName: props.stageName,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        // Execution logs carry errors only, and never request or response bodies (PHI).
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: props.rateLimit,
        throttlingBurstLimit: props.burstLimit,
      },
    });
    const authorizer = new apigw.RequestAuthorizer(this, 'Authorizer', {
      authorizerName: `${props.prefix}-jwt`,
      handler: props.authorizer,
      identitySources: [apigw.IdentitySource.header('Authorization')],
      resultsCacheTtl: Duration.seconds(props.authorizerCacheTtlSeconds),
    });
    const validator = this.api.addRequestValidator('Validator', {
      requestValidatorName: 'parameters',
      validateRequestParameters: true,
      // The proxy methods declare no models, so there is no body schema to apply yet; the gateway
      // validates every body itself (FHIR JSON, size, depth, entry count).
      validateRequestBody: true,
    });
    const integration = new apigw.LambdaIntegration(props.gateway, { proxy: true });
    const methodOptions: apigw.MethodOptions = {
      authorizer,
      authorizationType: apigw.AuthorizationType.CUSTOM,
      apiKeyRequired: withKeys,
      requestValidator: validator,
    };
    this.api.root.addMethod('ANY', integration, methodOptions);
    this.api.root.addResource('{proxy+}').addMethod('ANY', integration, methodOptions);
    this.stage = this.api.deploymentStage;

    for (const { type, status, code, text } of GATEWAY_RESPONSES) {
      this.api.addGatewayResponse(`Response${type.responseType}`, {
        type,
        statusCode: status,
        responseHeaders: { 'Content-Type': "'application/fhir+json'" },
        templates: {
          'application/json': JSON.stringify({
            resourceType: 'OperationOutcome',
            issue: [{ severity: 'error', code, diagnostics: text }],
          }),
        },
      });
    }
    for (const partner of props.partners) this.addPartner(partner);
    if (props.customDomain) this.addCustomDomain(props.customDomain);

    acknowledge(this.api, [
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "API Gateway's account-level CloudWatch role: AmazonAPIGatewayPushToCloudWatchLogs is the AWS-documented policy for execution and access logging.",
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'Partners authenticate with their own identity provider; the REQUEST authorizer verifies the JWT.',
      },
      {
        id: 'HIPAA.Security-APIGWCacheEnabledAndEncrypted',
        reason:
          "Response caching is off on purpose: a stage cache keyed by URL would serve one organization's PHI to another. The gateway caches per organization and per dbt build.",
      },
      {
        id: 'HIPAA.Security-APIGWSSLEnabled',
        reason:
          'Backend client certificates authenticate API Gateway to HTTP backends; the only backend is a Lambda invoked through IAM.',
      },
    ]);
  }

  /** One API key and usage plan per partner; the key value is fetched by the operator. */
  private addPartner(partner: PartnerConfig) {
    const key = this.api.addApiKey(`Key-${partner.name}`, {
      apiKeyName: `${this.api.restApiName}-${partner.name}`,
    });
    const plan = this.api.addUsagePlan(`Plan-${partner.name}`, {
      name: `${this.api.restApiName}-${partner.name}`,
      throttle: { rateLimit: partner.rateLimit, burstLimit: partner.burstLimit },
      quota: partner.quotaPerDay ? { limit: partner.quotaPerDay, period: apigw.Period.DAY } : undefined,
      apiStages: [{ api: this.api, stage: this.stage }],
    });
    plan.addApiKey(key);
  }

  private addCustomDomain(domain: CustomDomainConfig) {
    const name = new apigw.DomainName(this, 'Domain', {
      domainName: domain.domainName,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
      endpointType: apigw.EndpointType.REGIONAL,
      securityPolicy: apigw.SecurityPolicy.TLS_1_2,
    });
    name.addBasePathMapping(this.api, { stage: this.stage });
    if (domain.hostedZone) {
      const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', domain.hostedZone);
      new route53.ARecord(this, 'Alias', {
        zone,
        recordName: domain.domainName,
        target: route53.RecordTarget.fromAlias(new targets.ApiGatewayDomain(name)),
      });
    }
  }
}
