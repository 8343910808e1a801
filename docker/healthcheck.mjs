// Container health check: `node healthcheck.mjs URL[=STATUS] ...`. The URLs are tried in order and
// the first that is served (answers anything but 404) decides: healthy when it answers STATUS
// (default: any 2xx). A later URL is a fallback for an image whose node does not serve the first.
/* global fetch, process, AbortSignal */
const checks = process.argv.slice(2).map((arg) => {
  const match = /^(.*)=(\d{3})$/.exec(arg);
  return match ? { url: match[1], status: Number(match[2]) } : { url: arg, status: undefined };
});

async function healthy() {
  for (const { url, status } of checks) {
    const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
    await response.body?.cancel();
    if (response.status === 404) continue;
    return status === undefined ? response.ok : response.status === status;
  }
  return false;
}

healthy().then(
  (ok) => process.exit(ok ? 0 : 1),
  () => process.exit(1),
);
