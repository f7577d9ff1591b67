/** A plain Node http server on a loopback port that tries each route handler in turn, as Probot's server does. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RouteHandler } from '../../src/web/http.js';

export interface Served {
  url: string;
  close(): Promise<void>;
}

export async function serve(...handlers: RouteHandler[]): Promise<Served> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      for (const handler of handlers) if (await handler(req, res)) return;
      res.writeHead(404).end('not found');
    })().catch(() => res.writeHead(500).end('handler threw'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
