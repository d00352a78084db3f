import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ESM_CJS_BANNER, EXTERNAL_MODULES } from '../lambda-bundling';
import { acknowledge, wildcardUnder } from '../nag';
import { createLogGroup, type LogSettings } from './encrypted-log-group';
import type { Network } from './network';
import { REPO_ROOT, repoPath } from './repo-paths';

export interface FhirFunctionProps {
  /** The handler module, relative to the repository root (e.g. `src/handlers/lambda.ts`). */
  entry: string;
  description: string;
  network: Network;
  logs: LogSettings;
  environment: Record<string, string>;
  memorySize?: number;
  timeout?: Duration;
  reservedConcurrency: number;
  /** Encrypts the environment at rest (the function's role may decrypt it through Lambda only). */
  environmentKey: kms.IKey;
  /** Files (relative to the root) shipped beside the bundle, e.g. `schema/openapi.yaml`. */
  assets?: string[];
}

const SHIPPED_PACKAGES = ['graphql'];

/**
 * One of the project's handlers as a Lambda function: `nodejs22.x` on arm64, bundled here by the
 * local esbuild into one ESM file with a source map, in the VPC with HTTPS-only egress, with its own
 * KMS-encrypted log group, X-Ray tracing, reserved concurrency and a role that may write only to
 * that log group until grants are added.
 */
export class FhirFunction extends Construct {
  readonly fn: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: FhirFunctionProps) {
    super(scope, id);
    this.logGroup = createLogGroup(this, 'Logs', props.logs);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${id}: runtime role`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn, `${this.logGroup.logGroupArn}:log-stream:*`],
      }),
    );
    // Lambda creates and removes the function's network interfaces with these; EC2 does not
    // support resource-level permissions for the Describe calls.
    // See: https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [props.environmentKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `lambda.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
    const securityGroup = props.network.httpsOnlyGroup(this, 'Egress', `${id}: outbound HTTPS only`);
    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: repoPath(props.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: repoPath('package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrency,
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      vpc: props.network.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [securityGroup],
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      environmentEncryption: props.environmentKey,
      bundling: {
        forceDockerBundling: false,
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        platform: 'node',
        mainFields: ['module', 'main'],
        sourceMap: true,
        sourceMapMode: nodejs.SourceMapMode.EXTERNAL,
        minify: true,
        externalModules: EXTERNAL_MODULES,
        banner: ESM_CJS_BANNER,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir, outputDir) => shipFiles(inputDir, outputDir, props.assets ?? []),
        },
      },
    });
    acknowledge(this, [
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ENI management for a VPC function and X-Ray PutTraceSegments: neither API supports resource-level permissions. No data action has a wildcard resource.',
      },
      {
        id: wildcardUnder(this.logGroup, ':log-stream:*'),
        reason: "Log streams are created by Lambda at run time inside the function's own log group.",
      },
      {
        id: 'AwsSolutions-L1',
        reason:
          'nodejs22.x on purpose: the runtime the project is built and tested for (Node 20 on machines, 22 on Lambda); move with the project, not ahead of it.',
      },
      {
        id: 'HIPAA.Security-IAMNoInlinePolicy',
        reason:
          "The role's one policy is generated for this function alone, statement by statement least privilege; a customer-managed policy would add an attachable copy without narrowing anything.",
      },
      {
        id: 'HIPAA.Security-LambdaDLQ',
        reason:
          'Invoked synchronously only (API Gateway, Step Functions): a failure goes back to the caller, which answers, retries or catches; an async DLQ would never receive anything.',
      },
    ]);
  }
}

/** Copies the listed repository files and the shipped packages next to the bundle. */
function shipFiles(inputDir: string, outputDir: string, files: string[]): string[] {
  const commands = files.map(
    (file) => `mkdir -p "${outputDir}/$(dirname ${file})" && cp "${inputDir}/${file}" "${outputDir}/${file}"`,
  );
  for (const pkg of SHIPPED_PACKAGES) {
    commands.push(
      `mkdir -p "${outputDir}/node_modules" && node "${inputDir}/infra/bin/ship-package.mjs" "${inputDir}/node_modules/${pkg}" "${outputDir}/node_modules"`,
    );
  }
  return commands;
}
