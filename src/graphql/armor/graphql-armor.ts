import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import type { Plugin } from 'graphql-yoga';
import { pageProductLimitPlugin } from './page-product-limit';

/**
 * Limits sized to the gateway's graph. Its deepest useful query —
 * `patients.edges.node.encounters.edges.node.observations.edges.node.code.coding.system` —
 * is 12 fields deep; nothing needs aliases beyond a handful, and three nested connections at
 * 20 × 50 × 50 rows is about the most a client should ask for at once.
 */
export const GRAPHQL_LIMITS = {
  maxDepth: 14,
  maxAliases: 20,
  maxTokens: 2000,
  maxDirectives: 20,
  /** graphql-armor's cost with a depth factor of 1: about fields × literal page sizes. */
  maxCost: 2_000_000,
  /** Nodes across every page of every nesting level (see `pageProductLimitPlugin`). */
  maxNodes: 100_000,
  /** The page size a connection without `first` gets (the graph's default, as REST's `_count`). */
  defaultPageSize: 50,
} as const;

export type GraphqlLimits = { -readonly [K in keyof typeof GRAPHQL_LIMITS]: number };

export interface GraphqlArmorOptions {
  /** Production: no introspection, no field suggestions. */
  production: boolean;
  /** Overrides of `GRAPHQL_LIMITS`. */
  limits?: Partial<GraphqlLimits>;
}

/** The one message every refused operation gets: it names no limit. */
export const REFUSED_MESSAGE = 'Query is too complex.';

/**
 * The GraphQL abuse limits, as Envelop/Yoga plugins for `createYoga({ plugins })`: token,
 * depth (through fragments), alias, directive and cost limits whose errors do not echo the
 * configured limits; a bound on rows asked for across nested pages; CSRF prevention; and in
 * production no introspection and no "did you mean" field suggestions. Keep Yoga's own
 * `batching` off (its default) and `maskedErrors` on.
 * See: https://escape.tech/graphql-armor/docs/getting-started and https://the-guild.dev/graphql/yoga-server/docs/features/csrf-prevention
 */
export function graphqlArmorPlugins(options: GraphqlArmorOptions): Plugin[] {
  const limits = { ...GRAPHQL_LIMITS, ...options.limits };
  const quiet = { exposeLimits: false, errorMessage: REFUSED_MESSAGE };
  const plugins: Plugin[] = [
    // A cross-site "simple" request can carry neither header: Authorization forces a CORS preflight.
    useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf', 'authorization'] }),
    maxTokensPlugin({ n: limits.maxTokens, ...quiet }) as Plugin,
    maxDepthPlugin({
      n: limits.maxDepth,
      flattenFragments: true,
      ignoreIntrospection: true,
      ...quiet,
    }) as Plugin,
    maxAliasesPlugin({ n: limits.maxAliases, ...quiet }) as Plugin,
    maxDirectivesPlugin({ n: limits.maxDirectives, ...quiet }) as Plugin,
    costLimitPlugin({
      maxCost: limits.maxCost,
      depthCostFactor: 1,
      ignoreIntrospection: true,
      ...quiet,
    }) as Plugin,
    pageProductLimitPlugin({
      maxNodes: limits.maxNodes,
      defaultPageSize: limits.defaultPageSize,
      message: REFUSED_MESSAGE,
    }),
  ];
  if (options.production) {
    plugins.push(useDisableIntrospection(), blockFieldSuggestionsPlugin() as Plugin);
  }
  return plugins;
}
