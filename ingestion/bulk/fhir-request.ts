/**
 * A request to the FHIR server on behalf of a job: the bearer token is attached only when the URL
 * is on the server's own origin (never to capability URLs elsewhere), and a 401 drops the cached
 * token and tries once more with a fresh one (tokens expire mid-job).
 */
import type { BulkDeps } from './bulk-deps';
import type { SafeRequest, SafeResponse } from './safe-http';

export async function fhirRequest(
  deps: BulkDeps,
  source: string,
  url: string,
  init: SafeRequest & { withToken?: boolean } = {},
): Promise<SafeResponse> {
  const http = deps.httpFor(source);
  const origin = new URL(source).origin;
  const bearer = init.withToken === false ? null : await deps.bearerFor(source);
  const send = async () => {
    const headers = { ...init.headers };
    if (bearer && new URL(url).origin === origin) headers.authorization = `Bearer ${await bearer.token()}`;
    return http.request(url, { ...init, headers, credentialsOrigin: origin });
  };
  const res = await send();
  if (res.status !== 401 || !bearer || new URL(url).origin !== origin) return res;
  res.discard();
  bearer.invalidate();
  return send();
}
