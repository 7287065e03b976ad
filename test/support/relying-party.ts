import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The relying party's own endpoints in tests: the redirect URI (answers a plain page, the test
 * reads the code from the browser's URL, or from `formPosts` with `response_mode=form_post`) and
 * the back-channel logout URI (records logout tokens).
 */
export interface TestRelyingParty {
  base: string;
  redirectUri: string;
  postLogoutUri: string;
  backchannelUri: string;
  logoutTokens: string[];
  /** Bodies the browser posted to the redirect URI (`response_mode=form_post`), oldest first. */
  formPosts: URLSearchParams[];
  close(): Promise<void>;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (chunk) => {
      data += chunk;
    });
    req.on('end', () => resolve(data));
  });
}

export async function startTestRelyingParty(): Promise<TestRelyingParty> {
  const logoutTokens: string[] = [];
  const formPosts: URLSearchParams[] = [];
  const server: Server = createServer(async (req, res) => {
    if (req.method === 'POST' && req.url === '/backchannel') {
      const form = new URLSearchParams(await body(req));
      logoutTokens.push(form.get('logout_token') ?? '');
      res.writeHead(200).end();
      return;
    }
    if (req.method === 'POST' && req.url === '/callback')
      formPosts.push(new URLSearchParams(await body(req)));
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end('<!doctype html><title>RP</title><h1>Service de test</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://localhost:${port}`;
  return {
    base,
    redirectUri: `${base}/callback`,
    postLogoutUri: `${base}/logged-out`,
    // The provider calls it from Node, which may resolve localhost to ::1: use the address.
    backchannelUri: `http://127.0.0.1:${port}/backchannel`,
    logoutTokens,
    formPosts,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
