export {
  GRAPHQL_LIMITS,
  type GraphqlArmorOptions,
  type GraphqlLimits,
  graphqlArmorPlugins,
  REFUSED_MESSAGE,
} from './graphql-armor';
export { type PageProductLimitOptions, pageProductLimitPlugin } from './page-product-limit';
