/**
 * HTTP for the Bulk Data client, with an SSRF guard: every URL (and every redirect target) must
 * be on an allowlisted origin, https unless configured otherwise, and resolve to a public address
 * unless private networks are allowed. The address check runs in the socket's own DNS lookup, so
 * the checked address is the one connected to (no DNS rebinding between check and connect).
 * Credentials never follow a redirect to another origin.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';
import { BulkPermanentError, BulkTransientError } from './bulk-errors';

export interface SafeHttpOptions {
  /** Origins (`scheme://host[:port]`) requests may go to. */
  allowedOrigins: string[];
  allowPrivateNetworks: boolean;
  requireHttps: boolean;
  /** Idle socket timeout. */
  timeoutMs: number;
  maxRedirects?: number;
}

export interface SafeRequest {
  method?: 'GET' | 'POST' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  /** The only origin the `authorization` header may be sent to. */
  credentialsOrigin?: string;
}

export interface SafeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The URL that answered (after redirects). */
  url: string;
  body: IncomingMessage;
  text(): Promise<string>;
  /** Drops the body (frees the socket). */
  discard(): void;
}

const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6');

/** Whether an address is private, loopback, link-local or otherwise not a public unicast one. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

export function createSafeHttp(options: SafeHttpOptions) {
  const allowed = new Set(options.allowedOrigins.map((o) => new URL(o).origin));
  const maxRedirects = options.maxRedirects ?? 5;

  /** Throws `BulkPermanentError` for a URL the guard refuses. */
  function check(url: URL): void {
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && !options.requireHttps)) {
      throw new BulkPermanentError(`refused ${url.origin}: ${url.protocol} is not allowed (https only)`);
    }
    if (url.username || url.password)
      throw new BulkPermanentError(`refused ${url.origin}: credentials in URL`);
    if (!allowed.has(url.origin))
      throw new BulkPermanentError(`refused ${url.origin}: origin not allowlisted`);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !options.allowPrivateNetworks && isPrivateAddress(host)) {
      throw new BulkPermanentError(`refused ${url.origin}: private address`);
    }
  }

  const lookup = (
    hostname: string,
    lookupOptions: { all?: boolean; family?: number },
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { family: lookupOptions.family ?? 0, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const usable = options.allowPrivateNetworks
        ? addresses
        : addresses.filter((a) => !isPrivateAddress(a.address));
      if (usable.length === 0 || usable.length !== addresses.length) {
        return callback(new BulkPermanentError(`refused ${hostname}: resolves to a private address`), []);
      }
      if (lookupOptions.all) return callback(null, usable);
      return callback(null, usable[0]!.address, usable[0]!.family);
    });
  };

  function once(url: URL, init: SafeRequest): Promise<IncomingMessage> {
    const headers = { ...init.headers };
    if (init.credentialsOrigin !== url.origin) {
      for (const name of Object.keys(headers))
        if (name.toLowerCase() === 'authorization') delete headers[name];
    }
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.request(url, {
        method: init.method ?? 'GET',
        headers,
        agent: url.protocol === 'https:' ? agents.https : agents.http,
        lookup: lookup as never,
      });
      req.setTimeout(options.timeoutMs, () =>
        req.destroy(new BulkTransientError(`timeout after ${options.timeoutMs} ms from ${url.origin}`)),
      );
      req.on('response', resolve);
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error instanceof BulkPermanentError || error instanceof BulkTransientError) reject(error);
        else reject(new BulkTransientError(`${error.code ?? error.message} from ${url.origin}`));
      });
      req.end(init.body);
    });
  }

  return {
    check,
    /** Sends a request, following up to `maxRedirects` redirects, each target checked again. */
    async request(target: string, init: SafeRequest = {}): Promise<SafeResponse> {
      let url = new URL(target);
      let method = init.method;
      let body = init.body;
      for (let hop = 0; ; hop++) {
        check(url);
        const res = await once(url, { ...init, method, body });
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if ([301, 302, 303, 307, 308].includes(status) && location) {
          res.resume();
          if (hop >= maxRedirects) throw new BulkPermanentError(`more than ${maxRedirects} redirects`);
          url = new URL(location, url);
          if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
            method = 'GET';
            body = undefined;
          }
          continue;
        }
        return {
          status,
          headers: res.headers,
          url: url.href,
          body: res,
          async text() {
            const chunks: Buffer[] = [];
            for await (const chunk of res) chunks.push(chunk as Buffer);
            return Buffer.concat(chunks).toString('utf8');
          },
          discard: () => void res.resume(),
        };
      }
    },
  };
}

export type SafeHttp = ReturnType<typeof createSafeHttp>;
