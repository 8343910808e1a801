// Builds the client library (client/dist/index.js) and the web page (client/dist/web/) with esbuild.
import { build } from 'esbuild';
import process from 'node:process';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export async function buildClient() {
  const common = { bundle: true, format: 'esm', target: 'es2022', sourcemap: true, logLevel: 'warning' };
  await build({ ...common, entryPoints: [join(here, 'src/index.ts')], outfile: join(here, 'dist/index.js') });
  await build({
    ...common,
    entryPoints: [join(here, 'web/app.ts')],
    outfile: join(here, 'dist/web/app.js'),
    minify: true,
  });
  await mkdir(join(here, 'dist/web'), { recursive: true });
  for (const file of ['index.html', 'style.css'])
    await copyFile(join(here, 'web', file), join(here, 'dist/web', file));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildClient();
