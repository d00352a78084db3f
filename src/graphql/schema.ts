/** The executable schema: every type module registers itself on the builder, then it is built once. */
import { builder } from './builder';
import { graphql } from './graphql-module';
import './fhir-datatypes';
import './patient';
import './encounter';
import './observation';
import './condition';
import './medication-request';

export const schema = builder.toSchema();

/** The SDL committed as `schema/schema.graphql`. */
export function printSchemaSdl(): string {
  return `${graphql.printSchema(graphql.lexicographicSortSchema(schema))}\n`;
}
