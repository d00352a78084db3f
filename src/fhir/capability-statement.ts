/**
 * The CapabilityStatement, generated from the same search definitions the server parses and
 * compiles (each type's, from `resolvers/<type>.ts`), so it can only advertise what is implemented.
 * See: https://hl7.org/fhir/R4/capabilitystatement.html
 */
import type { ResourceSearchDef } from './search-parameters';
import { modifiersOf } from './search-request';

const SEARCH_RESULT_PARAMS = [
  { name: '_count', type: 'number', documentation: 'Page size (default 50, at most 1000)' },
  { name: '_sort', type: 'string', documentation: 'Sort keys, comma-separated, `-` for descending' },
  { name: '_total', type: 'token', documentation: 'none (default) | accurate | estimate (= accurate)' },
  { name: '_summary', type: 'token', documentation: 'count: the total only' },
];

/** The server's CapabilityStatement for the FHIR base `baseUrl`, serving the types `served` defines. */
export function buildCapabilityStatement(
  baseUrl: string,
  served: readonly ResourceSearchDef[],
  date = '2025-01-01',
) {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date,
    publisher: 'fhir-gateway',
    kind: 'instance',
    software: { name: 'fhir-gateway' },
    implementation: {
      description: 'fhir-gateway REST FHIR API (read-only, organization-scoped)',
      url: baseUrl,
    },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        security: {
          service: [
            {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/restful-security-service',
                  code: 'SMART-on-FHIR',
                },
              ],
            },
          ],
          description:
            'Bearer JWT with SMART v2 system scopes; data is scoped to the organization in the token.',
        },
        resource: served.map((def) => {
          return {
            type: def.type,
            interaction: [{ code: 'read' }, { code: 'search-type' }],
            versioning: 'no-version',
            readHistory: false,
            conditionalRead: 'modified-since',
            searchParam: [
              ...def.params.map((p) => ({
                name: p.name,
                type: p.type,
                documentation: `${p.description}. Modifiers: ${modifiersOf(p)
                  .map((m) => `:${m}`)
                  .join(', ')}`,
              })),
              ...SEARCH_RESULT_PARAMS,
            ],
          };
        }),
      },
    ],
  };
}
