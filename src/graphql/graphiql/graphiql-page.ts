/**
 * GraphiQL, self-contained: `@graphql-yoga/render-graphiql` inlines GraphiQL's script, styles,
 * fonts and Monaco workers into one HTML document, so the page works offline and behind
 * firewalls that block CDNs. The ~9 MB document is rendered once, on the first request; each
 * request only splices in its own headers (the dev token). The renderer is imported then too: the
 * page is served in development only, so the production Lambda bundle leaves its ~9 MB out
 * (infra/lib/lambda-bundling.ts).
 */
import { EXAMPLE_QUERY } from './example-query';

const SLOT = '__FHIR_GATEWAY_HEADERS_SLOT__';

export interface GraphiQLPageOptions {
  /** Where GraphiQL sends its queries. */
  endpoint: string;
  query?: string;
}

/** Returns a renderer of the page for a given set of request headers (e.g. a dev bearer token). */
export function createGraphiQLPage(
  options: GraphiQLPageOptions,
): (headers: Record<string, string>) => Promise<string> {
  let parts: [string, string] | undefined;
  return async (headers) => {
    if (!parts) {
      const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
      const html = renderGraphiQL({
        title: 'fhir-gateway GraphiQL',
        endpoint: options.endpoint,
        defaultQuery: options.query ?? EXAMPLE_QUERY,
        headers: SLOT,
        shouldPersistHeaders: false,
        defaultEditorToolsVisibility: 'headers',
      });
      const at = html.lastIndexOf(JSON.stringify(SLOT));
      if (at < 0) throw new Error('GraphiQL page template changed: headers slot not found');
      parts = [html.slice(0, at), html.slice(at + JSON.stringify(SLOT).length)];
    }
    // Escaped for a <script> context: JSON inside JSON, with `<` encoded.
    const value = JSON.stringify(JSON.stringify(headers, null, 2)).replace(/</g, '\\u003c');
    return parts[0] + value + parts[1];
  };
}
