/**
 * Loopback proxies a fault test puts between the app and its dependencies: a TCP proxy in front
 * of Redis that can be cut (every connection dropped, new ones refused) and restored, and an HTTP
 * proxy in front of the GitHub stand-in that can hold one request forever, before or after
 * GitHub acted on it, as a process that died at that moment would leave it.
 */
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface RedisProxy {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

const listen = (server: Server | ReturnType<typeof createHttpServer>) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

export async function startRedisProxy(target = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')): Promise<RedisProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 6379) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined); // a cut connection errors on both ends: that is the point
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const port = await listen(server);
  return {
    url: `redis://127.0.0.1:${port}`,
    // Closed, the port refuses connections (ECONNREFUSED), as a stopped Redis does.
    cut() {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      if (!server.listening) server.listen(port, '127.0.0.1');
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        if (!server.listening) return resolve();
        server.close(() => resolve());
      }),
  };
}

export interface HoldRule {
  method: string;
  path: RegExp;
  /** Pass the request on to GitHub first (it acts; only the answer is lost) or not at all. */
  forward: boolean;
}

export interface GitHubProxy {
  /** Environment that points Probot here (as StandIn.probotEnv). */
  probotEnv(): { GHE_HOST: string; GHE_PROTOCOL: 'http' };
  /** Holds the next matching request; resolves once it arrived (and, when forwarded, GitHub answered it). */
  hold(rule: HoldRule): Promise<void>;
  /** Drops every held request (the dead process's sockets close). */
  dropHeld(): void;
  close(): Promise<void>;
}

export async function startGitHubProxy(targetPort: number): Promise<GitHubProxy> {
  const rules: Array<HoldRule & { arrived: () => void }> = [];
  const held = new Set<ServerResponse>();
  const forward = (req: IncomingMessage, body: Buffer, onAnswer: (status: number, headers: IncomingMessage['headers'], data: Buffer) => void) => {
    const upstream = httpRequest({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => onAnswer(answer.statusCode ?? 502, answer.headers, Buffer.concat(chunks)));
    });
    upstream.end(body);
  };
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const index = rules.findIndex((r) => r.method === req.method && r.path.test(req.url ?? ''));
      if (index >= 0) {
        const [rule] = rules.splice(index, 1);
        held.add(res);
        if (rule!.forward) forward(req, body, () => rule!.arrived());
        else rule!.arrived();
        return;
      }
      forward(req, body, (status, headers, data) => {
        res.writeHead(status, headers);
        res.end(data);
      });
    });
  });
  const port = await listen(server);
  return {
    probotEnv: () => ({ GHE_HOST: `127.0.0.1:${port}`, GHE_PROTOCOL: 'http' }),
    hold: (rule) => new Promise<void>((arrived) => rules.push({ ...rule, arrived })),
    dropHeld() {
      for (const res of held) res.destroy();
      held.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
