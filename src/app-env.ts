import type { RequestContext } from './context';

/** The Hono environment shared by every route: the request id and the org-scoped request context. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** Set by the auth middleware once the token is verified; absent on public routes. */
    ctx: RequestContext;
  };
}
