import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { answerClientErrors } from './client-errors.ts';

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts an HTTP server for a Hono app; resolves once it listens. Port 0 picks a free port. */
export function listen(
  app: Hono,
  options: { host: string; port: number; publicUrl?: (port: number) => string },
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, hostname: options.host, port: options.port },
      (info: AddressInfo) => {
        resolve({
          port: info.port,
          url: options.publicUrl?.(info.port) ?? `http://${options.host}:${info.port}`,
          close: () =>
            new Promise((done) => {
              server.close(() => done());
              (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
            }),
        });
      },
    );
    answerClientErrors(server as Server);
    server.once('error', reject);
  });
}
