/** vitest global setup: bundles the client library and the web page (client/build.mjs), as `npm run build` does. */
export default async function setup(): Promise<void> {
  // @ts-expect-error: a plain ES module without type declarations
  const { buildClient } = (await import('../../client/build.mjs')) as { buildClient: () => Promise<void> };
  await buildClient();
}
