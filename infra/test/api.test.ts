import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ACCESS_LOG_FIELDS, BINARY_MEDIA_TYPES } from '../lib/constructs/gateway-api';
import { STAGES, validateStageConfig } from '../lib/stage-config';
import { type SynthesizedStage, synthStage } from './synth-stage';

// Each synthesis bundles six Lambdas with esbuild and stages the dbt image context: slow on a busy machine.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

let dev: SynthesizedStage;
beforeAll(async () => {
  dev = await synthStage('dev');
});

describe('the REST API', () => {
  it('puts the REQUEST authorizer on every method', () => {
    const t = dev.template(dev.stacks.api);
    const methods = Object.values(t.findResources('AWS::ApiGateway::Method'));
    expect(methods.length).toBeGreaterThanOrEqual(2);
    for (const method of methods) {
      expect(method.Properties).toMatchObject({
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: expect.stringMatching(/Authorizer/) },
      });
    }
    t.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
  });

  it('caches authorizer decisions no longer than the token lifetime, keyed on the Authorization header', () => {
    const { auth } = dev.config;
    dev.template(dev.stacks.api).hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: auth.authorizerCacheTtlSeconds,
    });
    expect(auth.authorizerCacheTtlSeconds).toBeLessThanOrEqual(auth.tokenLifetimeSeconds);
  });

  it('refuses a stage whose authorizer cache would outlive the tokens', () => {
    const config = structuredClone(STAGES.prod);
    config.auth.authorizerCacheTtlSeconds = config.auth.tokenLifetimeSeconds + 1;
    expect(() => validateStageConfig(config)).toThrow(/must not exceed the token lifetime/);
  });

  it('sends every method to the gateway Lambda as a proxy integration', () => {
    const t = dev.template(dev.stacks.api);
    t.allResourcesProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'ANY',
      Integration: { Type: 'AWS_PROXY', Uri: Match.objectLike({ 'Fn::Join': Match.anyValue() }) },
    });
    t.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
  });

  it('associates the WAF web ACL with the stage, with managed rule groups and a rate-based rule', () => {
    const t = dev.template(dev.stacks.api);
    t.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([
        Match.objectLike({
          Statement: {
            ManagedRuleGroupStatement: Match.objectLike({ Name: 'AWSManagedRulesCommonRuleSet' }),
          },
        }),
        Match.objectLike({
          Statement: {
            ManagedRuleGroupStatement: Match.objectLike({ Name: 'AWSManagedRulesKnownBadInputsRuleSet' }),
          },
        }),
        Match.objectLike({
          Action: { Block: {} },
          Statement: {
            RateBasedStatement: { Limit: dev.config.api.wafRateLimitPer5Minutes, AggregateKeyType: 'IP' },
          },
        }),
      ]),
    });
    const [association] = Object.values(t.findResources('AWS::WAFv2::WebACLAssociation'));
    const stageId = Object.keys(t.findResources('AWS::ApiGateway::Stage'))[0];
    expect(JSON.stringify(association?.Properties.ResourceArn)).toContain(stageId);
    expect(association?.Properties.WebACLArn).toMatchObject({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
  });

  it('redacts the bearer token, the API key and the query string from WAF logs', () => {
    dev.template(dev.stacks.api).hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      RedactedFields: Match.arrayWith([
        { SingleHeader: { Name: 'authorization' } },
        { SingleHeader: { Name: 'x-api-key' } },
        { QueryString: {} },
      ]),
    });
  });

  it('writes access logs without query strings, and execution logs without bodies', () => {
    const t = dev.template(dev.stacks.api);
    const [stage] = Object.values(t.findResources('AWS::ApiGateway::Stage'));
    const format = stage?.Properties.AccessLogSetting.Format as string;
    expect(JSON.parse(format)).toMatchObject({ path: '$context.path', status: '$context.status' });
    expect(format).not.toMatch(/querystring|\$input|\$request\.querystring|requestOverride/i);
    expect(Object.values(ACCESS_LOG_FIELDS).map(String).join()).not.toMatch(/querystring/i);
    expect(stage?.Properties).toMatchObject({
      TracingEnabled: true,
      MethodSettings: [expect.objectContaining({ DataTraceEnabled: false, LoggingLevel: 'ERROR' })],
    });
  });

  it('throttles the stage and each partner through its own usage plan and API key', () => {
    const t = dev.template(dev.stacks.api);
    const [partner] = dev.config.api.partners;
    t.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: partner!.rateLimit, BurstLimit: partner!.burstLimit },
      Quota: { Limit: partner!.quotaPerDay, Period: 'DAY' },
    });
    t.resourceCountIs('AWS::ApiGateway::UsagePlanKey', dev.config.api.partners.length);
    t.allResourcesProperties('AWS::ApiGateway::Method', { ApiKeyRequired: true });
    t.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [
        Match.objectLike({
          ThrottlingRateLimit: dev.config.api.rateLimit,
          ThrottlingBurstLimit: dev.config.api.burstLimit,
        }),
      ],
    });
  });

  it('passes NDJSON through as binary', () => {
    dev.template(dev.stacks.api).hasResourceProperties('AWS::ApiGateway::RestApi', {
      BinaryMediaTypes: BINARY_MEDIA_TYPES,
    });
    expect(BINARY_MEDIA_TYPES).toContain('application/fhir+ndjson');
  });

  it("answers API Gateway's own 401 and 429 as FHIR OperationOutcomes", () => {
    const t = dev.template(dev.stacks.api);
    for (const [type, status] of [
      ['UNAUTHORIZED', '401'],
      ['THROTTLED', '429'],
    ]) {
      t.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        StatusCode: status,
        ResponseParameters: { 'gatewayresponse.header.Content-Type': "'application/fhir+json'" },
        ResponseTemplates: {
          'application/json': Match.stringLikeRegexp('"resourceType":"OperationOutcome"'),
        },
      });
    }
  });

  it('serves a custom domain over TLS 1.2 only when one is configured, closing the execute-api URL', async () => {
    expect(dev.template(dev.stacks.api).findResources('AWS::ApiGateway::DomainName')).toEqual({});
    const withDomain = await synthStage('dev', (c) => ({
      ...c,
      api: {
        ...c.api,
        customDomain: {
          domainName: 'fhir.example.org',
          certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
          hostedZone: { hostedZoneId: 'Z123', zoneName: 'example.org' },
        },
      },
    }));
    const t = withDomain.template(withDomain.stacks.api);
    t.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'fhir.example.org',
      SecurityPolicy: 'TLS_1_2',
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    t.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
    t.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'fhir.example.org.', Type: 'A' });
  });
});
