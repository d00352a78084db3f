import {
  type FragmentDefinitionNode,
  type GraphQLArgument,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

export interface PageProductLimitOptions {
  /** Most nodes an operation may ask for, counting every page of every nesting level. */
  maxNodes: number;
  /** Page size assumed for a paged field called without a page argument. */
  defaultPageSize: number;
  /** Arguments that size a page (relay `first` / `last`). */
  pageArguments?: readonly string[];
  /** The message a refused operation gets; it does not echo the limit. */
  message?: string;
}

const MAX_FRAGMENT_DEPTH = 50;

/**
 * Types are read structurally, not with graphql's `instanceof` helpers, so a schema built by
 * another copy of `graphql` (ESM beside CJS, as under Vitest) works the same.
 */
interface TypeLike {
  getFields?: () => Record<string, { args: readonly GraphQLArgument[]; type: unknown }>;
}

function namedType(type: unknown): TypeLike | undefined {
  let t = type as { ofType?: unknown } | undefined;
  while (t?.ofType) t = t.ofType as { ofType?: unknown };
  return t as TypeLike | undefined;
}

/**
 * Bounds how many nodes an operation can ask for: a paged field returns up to `first` nodes
 * for each of its parent's nodes, so nested connections multiply (100 patients × 100
 * encounters × 100 observations is a million rows, however shallow the query looks). Depth,
 * alias and cost rules count fields; this counts the rows behind them, with the variables'
 * values, so it runs at execution, before any resolver.
 */
export function pageProductLimitPlugin(options: PageProductLimitOptions): Plugin {
  const pageArgs = new Set(options.pageArguments ?? ['first', 'last']);
  const message = options.message ?? 'Query is too costly.';
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const fragments = new Map<string, FragmentDefinitionNode>();
      let operation: OperationDefinitionNode | undefined;
      for (const def of args.document.definitions) {
        if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
        else if (
          def.kind === Kind.OPERATION_DEFINITION &&
          (!args.operationName || def.name?.value === args.operationName)
        ) {
          operation ??= def;
        }
      }
      if (!operation) return;
      const variables = (args.variableValues ?? {}) as Record<string, unknown>;
      const pageSize = (value: ValueNode): number => {
        if (value.kind === Kind.INT) return Number(value.value);
        if (value.kind === Kind.VARIABLE) {
          const v = variables[value.name.value];
          if (typeof v === 'number' && Number.isFinite(v)) return v;
        }
        return options.defaultPageSize;
      };

      const schema = args.schema;
      let total = 0;
      const walk = (
        set: SelectionSetNode,
        type: TypeLike | undefined,
        multiplier: number,
        fragmentDepth: number,
      ): void => {
        for (const selection of set.selections) {
          if (total > options.maxNodes) return;
          if (selection.kind === Kind.FIELD) {
            const field = type?.getFields?.()[selection.name.value];
            const arg = selection.arguments?.find((a) => pageArgs.has(a.name.value));
            const paged = arg !== undefined || (field?.args.some((a) => pageArgs.has(a.name)) ?? false);
            const nodes = paged
              ? multiplier * Math.max(0, arg ? pageSize(arg.value) : options.defaultPageSize)
              : multiplier;
            if (paged) total += nodes;
            if (selection.selectionSet) {
              walk(selection.selectionSet, field && namedType(field.type), nodes, fragmentDepth);
            }
          } else if (selection.kind === Kind.INLINE_FRAGMENT) {
            const cond = selection.typeCondition
              ? (schema.getType(selection.typeCondition.name.value) as TypeLike | undefined)
              : type;
            walk(selection.selectionSet, cond, multiplier, fragmentDepth);
          } else if (fragmentDepth < MAX_FRAGMENT_DEPTH) {
            const fragment = fragments.get(selection.name.value);
            if (fragment) {
              const cond = schema.getType(fragment.typeCondition.name.value) as TypeLike | undefined;
              walk(fragment.selectionSet, cond, multiplier, fragmentDepth + 1);
            }
          }
        }
      };
      const root =
        operation.operation === 'query'
          ? schema.getQueryType()
          : operation.operation === 'mutation'
            ? schema.getMutationType()
            : schema.getSubscriptionType();
      walk(operation.selectionSet, (root ?? undefined) as TypeLike | undefined, 1, 0);
      if (total > options.maxNodes) {
        setResultAndStopExecution({
          // Yoga's own error class (one `graphql` copy) and an explicit status: a refusal, not a 500.
          errors: [
            createGraphQLError(message, { extensions: { code: 'QUERY_TOO_COSTLY', http: { status: 400 } } }),
          ],
        });
      }
    },
  };
}
