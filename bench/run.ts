import { appendThroughput } from './append-throughput.js';
import { chatLoad } from './chat-load.js';
import { fanOut } from './fan-out.js';
import { memory } from './memory.js';
import { rebuild } from './rebuild.js';
import { resumeBench } from './resume.js';

const SCENARIOS: Record<string, () => Promise<void>> = {
  appends: appendThroughput,
  'chat-load': chatLoad,
  'fan-out': fanOut,
  rebuild,
  memory,
  resume: resumeBench,
};

/**
 * `npm run bench [-- scenario…]`: every scenario, or the named ones, each against fresh databases
 * on the local PostgreSQL (or TEST_DATABASE_URL's server).
 */
async function main(names: readonly string[]): Promise<void> {
  const unknown = names.filter((name) => !(name in SCENARIOS));
  if (unknown.length > 0) {
    console.error(`unknown scenario ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
    process.exit(2);
  }
  for (const name of names.length > 0 ? names : Object.keys(SCENARIOS)) await SCENARIOS[name]!();
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
