import { readFileSync } from 'node:fs';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTypedDocuments } from '../../codegen';
import { graphql } from '../../src/graphql/graphql-module';
import { NestedPatientsDocument, PatientByIdDocument } from '../generated/graphql';
import { createClient, openTestApp } from '../support/app';
import { buildTestWarehouse, type TestWarehouse } from '../support/cohort';
import { createExpectations } from './expectations';

let tw: TestWarehouse;
let client: ReturnType<typeof createClient>;

beforeAll(async () => {
  tw = await buildTestWarehouse({ patients: 40, orgs: 2, seed: 7 });
  client = createClient(await openTestApp({ trust: 'headers', warehouse: tw }), tw.organizations[0]!);
});
afterAll(() => tw.close());

async function run<R, V>(
  document: TypedDocumentNode<R, V>,
  variables: V,
): Promise<{ data?: R; errors?: unknown[] }> {
  const res = await client.graphql(graphql.print(document), variables as Record<string, unknown>);
  return (await res.json()) as { data?: R; errors?: unknown[] };
}

describe('typed test operations', () => {
  it('are generated from the committed schema (run `npx tsx codegen.ts` after changes)', async () => {
    expect(readFileSync(new URL('../generated/graphql.ts', import.meta.url), 'utf8')).toBe(
      await generateTypedDocuments(),
    );
  });

  it('run against the schema with typed results', async () => {
    const x = createExpectations(tw);
    const org = tw.organizations[0]!;
    const nested = await run(NestedPatientsDocument, { first: 5 });
    expect(nested.errors).toBeUndefined();
    expect(nested.data?.patients?.totalCount).toBe(x.ids('Patient', org, () => true).length);
    const id = nested.data!.patients!.edges[0]!.node.id;
    const one = await run(PatientByIdDocument, { id });
    const raw = x
      .resources('Patient', org)
      .find((r) => x.token(org, 'Patient', r.resource.id) === id)!.resource;
    expect(one.data?.patient?.name?.[0]?.family).toBe((raw.name as { family: string }[])[0]!.family);
  });
});
