import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAuthorizerEvent } from '../../test/fixtures/authorizer/load-event';
import { createTokenLab, ORG, type TokenLab } from '../../test/security/token-lab';
import { loadConfig } from '../config';
import {
  type Authorizer,
  createAuthorizer,
  createAuthorizerFromConfig,
  wholeApiResource,
} from './authorizer';

let lab: TokenLab;
let authorize: Authorizer;

beforeAll(async () => {
  lab = await createTokenLab();
  authorize = createAuthorizer(lab.verifier());
});
afterAll(() => lab.close());

const WHOLE_API = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/*/*';

describe('Lambda REQUEST authorizer', () => {
  it('allows the whole API with a flat context of who is calling', async () => {
    const token = await lab.sign({
      sub: 'svc-9',
      client_id: 'partner-app',
      scope: 'system/Patient.rs system/Observation.rs',
    });
    expect(await authorize(loadAuthorizerEvent('rest-v1-request.json', `Bearer ${token}`))).toEqual({
      principalId: 'svc-9',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: WHOLE_API }],
      },
      context: {
        organizationId: ORG,
        scopes: 'system/Patient.rs system/Observation.rs',
        subject: 'svc-9',
        clientId: 'partner-app',
      },
    });
  });

  it('reads a lower-case authorization header and an ES256 token, with an empty client id when none is named', async () => {
    const token = await lab.sign({ client_id: null }, { key: lab.ec });
    const result = await authorize(loadAuthorizerEvent('rest-v1-request-graphql.json', `Bearer ${token}`));
    expect(result.policyDocument.Statement[0].Resource).toBe(WHOLE_API);
    expect(result.context).toEqual({
      organizationId: ORG,
      scopes: 'system/*.rs',
      subject: 'svc-lab',
      clientId: '',
    });
  });

  it('throws Unauthorized without an Authorization header, or with another scheme', async () => {
    await expect(authorize(loadAuthorizerEvent('rest-v1-request.json', null))).rejects.toThrow(
      /^Unauthorized$/,
    );
    const token = await lab.sign();
    await expect(authorize(loadAuthorizerEvent('rest-v1-request.json', `Basic ${token}`))).rejects.toThrow(
      /^Unauthorized$/,
    );
  });

  it('throws Unauthorized for an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await lab.sign({ iat: now - 600, exp: now - 300 });
    await expect(authorize(loadAuthorizerEvent('rest-v1-request.json', `Bearer ${token}`))).rejects.toThrow(
      /^Unauthorized$/,
    );
  });

  it('builds the whole-API resource from any method ARN and refuses one it cannot read', () => {
    expect(
      wholeApiResource('arn:aws-us-gov:execute-api:us-gov-west-1:123456789012:abc123/dev/POST/graphql'),
    ).toBe('arn:aws-us-gov:execute-api:us-gov-west-1:123456789012:abc123/dev/*/*');
    expect(() => wholeApiResource('arn:aws:execute-api:eu-west-1:123456789012:abc123')).toThrow(
      'Unauthorized',
    );
  });

  it('is built from configuration over the remote JWKS and refuses the dev issuer', async () => {
    const env = {
      AUTH_MODE: 'jwks',
      AUTH_JWKS_URL: lab.jwks.url,
      AUTH_ISSUER: 'https://issuer.example.test',
      LOG_LEVEL: 'silent',
    };
    const fromConfig = await createAuthorizerFromConfig(loadConfig(env));
    const token = await lab.sign();
    const result = await fromConfig(loadAuthorizerEvent('rest-v1-request.json', `Bearer ${token}`));
    expect(result.context.organizationId).toBe(ORG);
    await expect(createAuthorizerFromConfig(loadConfig({ LOG_LEVEL: 'silent' }))).rejects.toThrow(
      /AUTH_MODE=jwks/,
    );
  });
});
