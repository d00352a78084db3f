export { type BuildCache, createBuildCache } from './build-cache';
export { createLoaders, type LoaderOptions, type Loaders } from './loaders';
export {
  createOrgRepository,
  type OrgRepository,
  type ParentType,
  type ResourceRow,
  type SearchPage,
} from './org-repository';
