import type { Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type SynthesizedStage, synthStage } from './synth-stage';

// Each synthesis bundles six Lambdas with esbuild and stages the dbt image context: slow on a busy machine.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

let dev: SynthesizedStage;
beforeAll(async () => {
  dev = await synthStage('dev');
});

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Identity-policy statements per role logical id (inline policies attached to roles). */
function statementsByRole(s: SynthesizedStage, stack: Stack): Map<string, Statement[]> {
  const byRole = new Map<string, Statement[]>();
  for (const policy of Object.values(s.template(stack).findResources('AWS::IAM::Policy'))) {
    for (const role of policy.Properties.Roles as { Ref: string }[]) {
      const list = byRole.get(role.Ref) ?? [];
      list.push(...(policy.Properties.PolicyDocument.Statement as Statement[]));
      byRole.set(role.Ref, list);
    }
  }
  return byRole;
}

const actionsOf = (statements: Statement[]) => statements.flatMap((st) => [st.Action].flat());
const roleOf = (byRole: Map<string, Statement[]>, prefix: string) => {
  const match = [...byRole.entries()].filter(([id]) => id.startsWith(prefix));
  expect(match, `exactly one role ${prefix}*`).toHaveLength(1);
  return match[0]![1];
};
/** Every resource a statement names, as comparable text (tokens joined). */
const resourcesText = (statements: Statement[], actionPrefix: string) =>
  statements
    .filter((st) => [st.Action].flat().some((a) => a.startsWith(actionPrefix)))
    .flatMap((st) => [st.Resource].flat())
    .map((r) => JSON.stringify(r));

describe('IAM, least privilege', () => {
  it('grants no wildcard action anywhere, and no wildcard data action at all', () => {
    for (const stack of dev.all) {
      for (const [role, statements] of statementsByRole(dev, stack)) {
        for (const action of actionsOf(statements)) {
          expect(action, `${stack.stackName}/${role}`).not.toBe('*');
          expect(action, `${stack.stackName}/${role}`).not.toMatch(/^[a-z0-9-]+:\*$/);
          if (/^(s3|kms|secretsmanager|sqs|states|lambda):/.test(action)) {
            expect(action, `${stack.stackName}/${role}: data action with a wildcard`).not.toContain('*');
          }
        }
      }
    }
  });

  it('lets only Lambda ENI, X-Ray, log-delivery and ECR-token calls use a "*" resource', () => {
    const allowed =
      /^(ec2:(Create|Describe|Delete|Assign|Unassign)[A-Za-z]*|xray:[A-Za-z]+|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)|ecr:GetAuthorizationToken)$/;
    for (const stack of dev.all) {
      for (const statements of statementsByRole(dev, stack).values()) {
        for (const st of statements.filter((x) => x.Resource === '*')) {
          for (const action of [st.Action].flat()) expect(action).toMatch(allowed);
        }
      }
    }
  });

  it('gives the gateway its own prefixes of the landing bucket, its two secrets and nothing else', () => {
    const gateway = roleOf(statementsByRole(dev, dev.stacks.api), 'GatewayRole');
    const s3 = resourcesText(gateway, 's3:');
    expect(s3.length).toBeGreaterThan(0);
    for (const r of s3) {
      expect(r).toMatch(/s3:::fhir-gateway-dev-landing-/);
      expect(r).toMatch(
        /\{"Ref":"AWS::Region"\}(,"\/(landing\/fhir|quarantine\/fhir|jobs\/ingestion|jobs\/export)\/\*")?\]\]\}$/,
      );
    }
    expect(s3.join()).not.toMatch(/jobs\/bulk|access-logs|-export-/);
    const secrets = resourcesText(gateway, 'secretsmanager:');
    expect(secrets.join()).toMatch(/SecretsTokenSalt/);
    expect(secrets.join()).toMatch(/SecretsSnowflakeGatewayKey/);
    expect(secrets.join()).not.toMatch(/SnowflakeDbtKey|ClientKey/);
    expect(
      gateway.filter((st) => [st.Action].flat().includes('kms:Decrypt')).every((st) => st.Condition),
    ).toBe(true);
  });

  it('gives each bulk handler the jobs/bulk/ prefix and the client key, and only the downloader the landing area', () => {
    const byRole = statementsByRole(dev, dev.stacks.ingestion);
    for (const name of ['InitiateExport', 'PollExportStatus', 'DownloadResources', 'FinalizeJob']) {
      const statements = roleOf(byRole, `Bulk${name}Role`);
      const s3 = resourcesText(statements, 's3:').join();
      expect(s3, name).toMatch(/jobs\/bulk\/\*/);
      expect(s3, name).not.toMatch(/jobs\/(ingestion|export)|access-logs|-export-|-quarantine-/);
      if (name === 'DownloadResources') {
        expect(s3).toMatch(/landing\/fhir\/\*/);
        expect(s3).toMatch(/quarantine\/fhir\/\*/);
      } else expect(s3, `${name} lands nothing`).not.toMatch(/landing\/fhir|quarantine\/fhir/);
      const writes = statements.filter((st) => [st.Action].flat().includes('s3:DeleteObject'));
      expect(writes, `${name} deletes nothing`).toEqual([]);
      const secrets = resourcesText(statements, 'secretsmanager:').join();
      expect(secrets, name).toMatch(/BulkClientKey/);
      expect(secrets, name).not.toMatch(/TokenSalt|Snowflake/);
    }
  });

  it('gives the authorizer no data access at all: no bucket, no secret', () => {
    const authorizer = roleOf(statementsByRole(dev, dev.stacks.api), 'AuthorizerRole');
    expect(actionsOf(authorizer).filter((a) => /^(s3|secretsmanager):/.test(a))).toEqual([]);
  });

  it('lets the dbt task start with its own Snowflake key and the salt, and gives the running task nothing', () => {
    const byRole = statementsByRole(dev, dev.stacks.dbt);
    const execution = roleOf(byRole, 'DbtTaskExecutionRole');
    const secrets = resourcesText(execution, 'secretsmanager:').join();
    expect(secrets).toMatch(/SnowflakeDbtKey/);
    expect(secrets).toMatch(/TokenSalt/);
    expect(secrets).not.toMatch(/SnowflakeGatewayKey/);
    expect([...byRole.keys()].filter((id) => id.startsWith('DbtTaskTaskRole'))).toEqual([]);
  });

  it('lets the build pipe read its queue and start the dbt-build state machine, nothing more', () => {
    const byRole = statementsByRole(dev, dev.stacks.dbt);
    const pipe = roleOf(byRole, 'DbtStartRole');
    expect(actionsOf(pipe).filter((a) => /^(s3|secretsmanager|lambda|ecs|iam):/.test(a))).toEqual([]);
    expect(resourcesText(pipe, 'sqs:')).toEqual([
      expect.stringMatching(/^\{"Fn::GetAtt":\["DbtBuildRequests\w+","Arn"\]\}$/),
    ]);
    expect(resourcesText(pipe, 'states:')).toEqual([expect.stringMatching(/^\{"Ref":"DbtBuilds\w+"\}$/)]);
  });

  it('lets the dbt-build state machine start only the dbt task, passing only its two roles', () => {
    const machine = roleOf(statementsByRole(dev, dev.stacks.dbt), 'DbtBuildsRole');
    expect(actionsOf(machine).filter((a) => /^(s3|secretsmanager|lambda|sqs|states):/.test(a))).toEqual([]);
    const runs = resourcesText(machine, 'ecs:RunTask');
    expect(runs.length).toBeGreaterThan(0);
    for (const r of runs) expect(r).toMatch(/DbtTask|dbt-build/);
    const passed = resourcesText(machine, 'iam:PassRole').join();
    expect(passed).toMatch(/DbtTaskExecutionRole/);
    expect(passed).toMatch(/DbtTaskTaskRole/);
    expect(resourcesText(machine, 'iam:PassRole')).toHaveLength(2);
  });

  it("lets Snowflake's integration read landing/fhir/ and write exports/, nothing more", () => {
    const role = roleOf(statementsByRole(dev, dev.stacks.storage), 'SnowflakeIntegrationRole');
    const reads = role
      .filter((st) => [st.Action].flat().includes('s3:GetObject'))
      .flatMap((st) => [st.Resource].flat());
    expect(JSON.stringify(reads)).toMatch(/landing\/fhir\/\*/);
    const writes = role.filter((st) => [st.Action].flat().includes('s3:PutObject'));
    expect(JSON.stringify(writes)).toMatch(/fhir-gateway-dev-export-.*exports\/\*/);
    expect(JSON.stringify(writes)).not.toMatch(/landing/);
  });
});
