export { type BuildCache, createBuildCache } from './build-cache';
export { withBuildCache } from './cached-repository';
export { createLoaders, type LoaderOptions, type Loaders } from './loaders';
export { MARTS } from './marts';
export {
  createOrgRepository,
  type OrgRepository,
  type ParentType,
  type ResourceRow,
  type SearchPage,
} from './org-repository';
export { listServedOrganizations } from './served-organizations';
