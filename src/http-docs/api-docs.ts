import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { HttpApp } from '../http/http-app.js';

const API_DESCRIPTION = `Event-sourced CQRS chat backend.

Errors are \`application/problem+json\` (RFC 9457); match on the last segment of \`type\`.
Positions are decimal strings (64-bit). A command answers the log position of what it wrote
(\`position\` in the body, or the \`X-Position\` header of a 204); a query sent with
\`X-Min-Position: <position>\` reflects at least that. Live events come over the WebSocket,
\`ws://HOST:3001/v1/realtime?access_token=JWT[&since=POSITION]\` by default.`;

const REDOC_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Chat backend API</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><redoc spec-url="/openapi.json"></redoc><script src="/redoc/redoc.standalone.js"></script></body>
</html>`;
// ReDoc renders with inline styles and runs its search in a worker made from a blob.
const REDOC_CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:; font-src 'self' data:";

/**
 * The OpenAPI document at /openapi.json (always), Swagger UI at /docs and ReDoc at /redoc (when
 * `docs`). ReDoc's standalone bundle comes from the `redoc` package, so no CDN is needed.
 */
export async function registerApiDocs(app: HttpApp, options: { docs: boolean }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: 'Chat backend', version: '1', description: API_DESCRIPTION },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      tags: [
        { name: 'accounts', description: 'Sign-up, tokens, the caller' },
        { name: 'contacts', description: 'Contacts and blocks' },
        { name: 'messages', description: 'Direct messages' },
        { name: 'conversations', description: 'Conversations, history, read receipts' },
        { name: 'operations', description: 'Health' },
      ],
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  if (!options.docs) return;
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  const bundlePath = createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');
  let bundle: Promise<Buffer> | undefined;
  app.get('/redoc', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', REDOC_CSP).send(REDOC_PAGE),
  );
  app.get('/redoc/redoc.standalone.js', { schema: { hide: true } }, async (_request, reply) => {
    bundle ??= readFile(bundlePath);
    return reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=86400')
      .send(await bundle);
  });
}
