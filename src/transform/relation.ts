/**
 * A warehouse relation as dbt's Jinja sees it (`this`, `ref()`, `source()`): prints as
 * `[database.]schema.identifier`, exposes `database`, `schema`, `identifier` and `name`.
 * See: https://docs.getdbt.com/reference/dbt-classes#relation
 */
export class Relation {
  constructor(
    readonly database: string | undefined,
    readonly schema: string,
    readonly identifier: string,
  ) {}

  get name(): string {
    return this.identifier;
  }

  get table(): string {
    return this.identifier;
  }

  render(): string {
    return [this.database, this.schema, this.identifier].filter(Boolean).join('.');
  }

  include(parts: { database?: boolean; schema?: boolean; identifier?: boolean } = {}): Relation {
    return new Relation(
      parts.database === false ? undefined : this.database,
      parts.schema === false ? '' : this.schema,
      parts.identifier === false ? '' : this.identifier,
    );
  }

  toString(): string {
    return this.render();
  }
}
