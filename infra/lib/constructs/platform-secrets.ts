import { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';

export interface PlatformSecretsProps {
  prefix: string;
  key: kms.IKey;
  retain: boolean;
}

/**
 * Secrets the gateway and dbt share, encrypted with the data key. Only their ARNs appear in
 * templates and environments; no value is ever in a template. The tokenization salt is generated
 * here; the Snowflake private keys are put in by the operator (docs/deploy.md, "Key pairs").
 */
export class PlatformSecrets extends Construct {
  readonly tokenSalt: secretsmanager.Secret;
  readonly snowflakeGatewayKey: secretsmanager.Secret;
  readonly snowflakeDbtKey: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: PlatformSecretsProps) {
    super(scope, id);
    const removalPolicy = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const secret = (name: string, secretName: string, description: string) =>
      new secretsmanager.Secret(this, name, {
        secretName: `${props.prefix}/${secretName}`,
        description,
        encryptionKey: props.key,
        removalPolicy,
        generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      });
    this.tokenSalt = secret(
      'TokenSalt',
      'token-salt',
      'Tokenization key (TOKEN_SALT / FHIR_TOKEN_SALT): every public id is SHA-256 over it. Rotating it changes every id.',
    );
    this.snowflakeGatewayKey = secret(
      'SnowflakeGatewayKey',
      'snowflake/gateway-private-key',
      "PEM (PKCS#8) private key of the gateway's Snowflake service user; replace the generated placeholder.",
    );
    this.snowflakeDbtKey = secret(
      'SnowflakeDbtKey',
      'snowflake/dbt-private-key',
      "PEM (PKCS#8) private key of dbt's Snowflake user; replace the generated placeholder.",
    );
    acknowledge(
      [this.tokenSalt, this.snowflakeGatewayKey, this.snowflakeDbtKey],
      [
        {
          id: 'HIPAA.Security-SecretsManagerRotationEnabled',
          reason: 'Rotated by the documented procedure (docs/deploy.md, "Rotation"); see AwsSolutions-SMG4.',
        },
        {
          id: 'AwsSolutions-SMG4',
          reason:
            'Rotated by a documented procedure (docs/deploy.md, "Rotation"), not a rotation Lambda: a new salt re-keys every public id and needs a full dbt refresh; a Snowflake key rotates through RSA_PUBLIC_KEY_2 with both keys valid meanwhile.',
        },
      ],
    );
  }
}
