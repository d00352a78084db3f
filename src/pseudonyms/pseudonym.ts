/**
 * Deterministic keyed pseudonyms: the public ids of every served resource and the form in which
 * identifier values are stored and searched. The dbt macro `tokenize` computes the same thing
 * in SQL (see dbt/API_MARTS.md), and a test proves the two agree.
 */
import { createHash } from 'node:crypto';

export function pseudonym(salt: string, organizationId: string, type: string, sourceId: string): string {
  return createHash('sha256')
    .update(`${salt}|${organizationId}|${type}|${sourceId}`, 'utf8')
    .digest('hex')
    .slice(0, 32);
}
