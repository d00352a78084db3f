/**
 * FHIR R4 data types as GraphQL objects, mirroring the element names so FHIR knowledge carries
 * over. They resolve from the parsed resource JSON. See: https://hl7.org/fhir/R4/datatypes.html
 */
import { builder } from './builder';

type Json = Record<string, unknown>;

export const Coding = builder.objectRef<Json>('Coding').implement({
  fields: (t) => ({
    system: t.string({ nullable: true, resolve: (c) => str(c.system) }),
    version: t.string({ nullable: true, resolve: (c) => str(c.version) }),
    code: t.string({ nullable: true, resolve: (c) => str(c.code) }),
    display: t.string({ nullable: true, resolve: (c) => str(c.display) }),
  }),
});

export const CodeableConcept = builder.objectRef<Json>('CodeableConcept').implement({
  fields: (t) => ({
    coding: t.field({ type: [Coding], resolve: (c) => list(c.coding) }),
    text: t.string({ nullable: true, resolve: (c) => str(c.text) }),
  }),
});

export const Period = builder.objectRef<Json>('Period').implement({
  fields: (t) => ({
    start: t.string({ nullable: true, resolve: (p) => str(p.start) }),
    end: t.string({ nullable: true, resolve: (p) => str(p.end) }),
  }),
});

export const Quantity = builder.objectRef<Json>('Quantity').implement({
  fields: (t) => ({
    value: t.float({ nullable: true, resolve: (q) => (typeof q.value === 'number' ? q.value : null) }),
    comparator: t.string({ nullable: true, resolve: (q) => str(q.comparator) }),
    unit: t.string({ nullable: true, resolve: (q) => str(q.unit) }),
    system: t.string({ nullable: true, resolve: (q) => str(q.system) }),
    code: t.string({ nullable: true, resolve: (q) => str(q.code) }),
  }),
});

export const Reference = builder.objectRef<Json>('Reference').implement({
  fields: (t) => ({
    reference: t.string({ nullable: true, resolve: (r) => str(r.reference) }),
    display: t.string({ nullable: true, resolve: (r) => str(r.display) }),
  }),
});

export const HumanName = builder.objectRef<Json>('HumanName').implement({
  fields: (t) => ({
    use: t.string({ nullable: true, resolve: (n) => str(n.use) }),
    text: t.string({ nullable: true, resolve: (n) => str(n.text) }),
    family: t.string({ nullable: true, resolve: (n) => str(n.family) }),
    given: t.stringList({ resolve: (n) => strings(n.given) }),
    prefix: t.stringList({ resolve: (n) => strings(n.prefix) }),
    suffix: t.stringList({ resolve: (n) => strings(n.suffix) }),
    period: t.field({ type: Period, nullable: true, resolve: (n) => obj(n.period) }),
  }),
});

export const Identifier = builder.objectRef<Json>('Identifier').implement({
  fields: (t) => ({
    use: t.string({ nullable: true, resolve: (i) => str(i.use) }),
    type: t.field({ type: CodeableConcept, nullable: true, resolve: (i) => obj(i.type) }),
    system: t.string({ nullable: true, resolve: (i) => str(i.system) }),
    value: t.string({
      nullable: true,
      description: 'Tokenized for retained identifiers.',
      resolve: (i) => str(i.value),
    }),
  }),
});

export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
export function obj(v: unknown): Json | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null;
}
export function list(v: unknown): Json[] {
  return Array.isArray(v) ? (v as Json[]) : [];
}
export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}
