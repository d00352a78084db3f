import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONWebKeySet } from 'jose';

/** A JWKS endpoint on 127.0.0.1 that records every request it gets and can rotate its keys. */
export interface JwksServer {
  /** The JWKS URL (`http://127.0.0.1:<port>/.well-known/jwks.json`). */
  url: string;
  /** Paths requested so far, in order. */
  requests: string[];
  /** Replaces the served key set (key rotation). */
  setKeys(jwks: JSONWebKeySet): void;
  close(): Promise<void>;
}

/** Starts a JWKS server on an ephemeral loopback port. */
export async function startJwksServer(initial: JSONWebKeySet): Promise<JwksServer> {
  let jwks = initial;
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(jwks));
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    requests,
    setKeys: (next) => {
      jwks = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
