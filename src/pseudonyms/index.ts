/** Pseudonymisation: the keyed pseudonyms that replace source ids and identifier values, and their salt. */
export { pseudonym } from './pseudonym';
export { resolvePseudonymSalt } from './pseudonym-salt';
