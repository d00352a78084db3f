/** Who is calling, as established by a verified token. The organization comes only from here. */
export interface Principal {
  /** The tenant: from the verified token's organization claim, never from a path, query, header or body. */
  organizationId: string;
  /** The token's `sub`. */
  subject: string;
  /** The OAuth client (`client_id` / `azp`), when the token carries one. */
  clientId?: string;
  /** Granted SMART scopes, e.g. `system/Patient.rs`, `system/*.rs`. */
  scopes: readonly string[];
}
