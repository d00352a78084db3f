/**
 * A GraphQL handler shaped like core's, over a tiny executable schema that answers GraphiQL's
 * example query, so the page can be driven before (and independently of) the real graph.
 */
import { buildSchema, graphql } from 'graphql';
import type { RequestContext } from '../../src/context';

const schema = buildSchema(`
  type Query { patients(first: Int): PatientConnection! }
  type PatientConnection { totalCount: Int! edges: [PatientEdge!]! }
  type PatientEdge { node: Patient! }
  type Patient { id: ID! gender: String encounters(first: Int): EncounterConnection! }
  type EncounterConnection { edges: [EncounterEdge!]! }
  type EncounterEdge { node: Encounter! }
  type Encounter { id: ID! status: String period: Period observations(first: Int): ObservationConnection! }
  type Period { start: String end: String }
  type ObservationConnection { edges: [ObservationEdge!]! }
  type ObservationEdge { node: Observation! }
  type Observation { id: ID! code: CodeableConcept valueQuantity: Quantity }
  type CodeableConcept { coding: [Coding!]! }
  type Coding { system: String code: String display: String }
  type Quantity { value: Float unit: String }
`);

export async function standInGraphQL(request: Request, ctx: RequestContext): Promise<Response> {
  const { query, variables } = (await request.json()) as {
    query: string;
    variables?: Record<string, unknown>;
  };
  const observation = {
    id: 'obs-1',
    code: { coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c' }] },
    valueQuantity: { value: 5.7, unit: '%' },
  };
  const encounter = {
    id: 'enc-1',
    status: 'finished',
    period: { start: '2024-01-01T10:00:00Z' },
    observations: { edges: [{ node: observation }] },
  };
  const root = {
    patients: () => ({
      totalCount: 1,
      edges: [
        {
          node: {
            id: `patient-of-${ctx.principal.organizationId}`,
            gender: 'female',
            encounters: { edges: [{ node: encounter }] },
          },
        },
      ],
    }),
  };
  return Response.json(await graphql({ schema, source: query, variableValues: variables, rootValue: root }));
}
