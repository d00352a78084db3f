import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_QUERY, QUICK_QUERY } from '../../src/graphql/graphiql/example-query';

const schema = buildSchema(readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8'));

describe('the example queries GraphiQL and `start` print', () => {
  it('are valid against the committed GraphQL schema', () => {
    for (const query of [EXAMPLE_QUERY, QUICK_QUERY]) {
      expect(validate(schema, parse(query)).map((e) => e.message)).toEqual([]);
    }
  });
});
