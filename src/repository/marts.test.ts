import { describe, expect, it } from 'vitest';
import { RESOLVERS } from '../../resolvers';
import { RESOURCE_TYPES } from '../fhir/search-parameters';
import { MARTS } from './marts';

describe('the mart mapping', () => {
  it.each(RESOURCE_TYPES)('maps exactly the search parameters and sorts %s declares', (type) => {
    const { definition } = RESOLVERS[type];
    expect(Object.keys(MARTS[type].targets).sort()).toEqual(definition.params.map((p) => p.name).sort());
    expect(Object.keys(MARTS[type].sorts).sort()).toEqual([...definition.sorts].sort());
  });

  it.each(RESOURCE_TYPES)('maps the reference parameters of %s onto its parent columns', (type) => {
    const { definition } = RESOLVERS[type];
    for (const param of definition.params.filter((p) => p.type === 'reference')) {
      const target = MARTS[type].targets[param.name];
      const parent = MARTS[type].parents[param.targetType as 'Patient' | 'Encounter'];
      expect({ param: param.name, target }).toEqual({
        param: param.name,
        target: { kind: 'reference', column: parent },
      });
    }
  });
});
