import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpApp } from './http-app.js';
import { notReady } from './problems.js';

/** Where `npm run build` (client/build.mjs) puts the page: found from src/ and from dist/src/. */
function webDirectory(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!directory.endsWith('/src') && directory !== '/') directory = dirname(directory);
  const root = dirname(directory).endsWith('/dist') ? dirname(dirname(directory)) : dirname(directory);
  return join(root, 'client/dist/web');
}

const FILES: Record<string, string> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/app.js.map': 'app.js.map',
  '/style.css': 'style.css',
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  map: 'application/json; charset=utf-8',
  css: 'text/css; charset=utf-8',
};
// The page talks to this origin and to the WebSocket port; nothing else.
const CSP =
  "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'";

/**
 * The web chat page (client/web, bundled by client/build.mjs) at GET /. The page learns the
 * WebSocket port from a meta tag filled in here.
 */
export function webPageRoutes(options: { realtimePort: () => number }) {
  const directory = webDirectory();
  return async (app: HttpApp) => {
    for (const [path, file] of Object.entries(FILES)) {
      app.get(path, { schema: { hide: true } }, async (_request, reply) => {
        let content: Buffer;
        try {
          content = await readFile(join(directory, file));
        } catch {
          throw notReady('the web page is not built: run `npm run build`', 60);
        }
        const type = TYPES[file.split('.').pop()!]!;
        void reply.type(type).header('content-security-policy', CSP);
        if (file !== 'index.html') return reply.header('cache-control', 'no-cache').send(content);
        const page = content.toString('utf8').replace('__REALTIME_PORT__', String(options.realtimePort()));
        return reply.header('cache-control', 'no-store').send(page);
      });
    }
  };
}
