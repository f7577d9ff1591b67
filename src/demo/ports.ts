import { createServer, type AddressInfo } from 'node:net';

async function listenOnce(port: number): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return bound;
}

/**
 * A loopback port free right now: `preferred` when it is, else any. Ports are chosen here because
 * Probot's server reads PORT=0 as 3000.
 */
export async function freePort(preferred = 0): Promise<number> {
  try {
    return await listenOnce(preferred);
  } catch {
    return listenOnce(0);
  }
}
