import { describe, expect, it } from 'vitest';
import { useTestSystem } from '../support/system.js';

const t = useTestSystem();

describe('GET / (the web chat page)', () => {
  it('serves the page with the WebSocket port filled in, its bundle and a strict CSP', async () => {
    const base = `http://127.0.0.1:${t.system.httpPort}`;
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain(`<meta name="chat-realtime-port" content="${t.system.realtimePort}" />`);
    expect(html).toContain('<label');
    const script = await fetch(`${base}/app.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    const code = await script.text();
    // One self-contained module: no imports left for the browser to fetch.
    expect(code).not.toMatch(/^import /m);
    expect(code.length).toBeLessThan(60_000);
    expect((await fetch(`${base}/style.css`)).status).toBe(200);
  });
});
