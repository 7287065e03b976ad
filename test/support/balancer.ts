import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP load balancer for scale-out tests: the public port of a deployment, forwarding each new
 * connection to the node it is told (TLS passes through untouched, as with an L4 balancer).
 * `route(port)` sends new connections elsewhere and cuts the open ones, so that the browser's
 * next request lands on the other node.
 */
export interface Balancer {
  port: number;
  route(targetPort: number): void;
  close(): Promise<void>;
}

export async function startBalancer(targetPort: number): Promise<Balancer> {
  let target = targetPort;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    route(port) {
      target = port;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
