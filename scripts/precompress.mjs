// Writes a brotli (quality 11) and a gzip copy beside every file of the built site, as the server
// sends them (server/src/layers.rs, `bundle`): `node scripts/precompress.mjs target/site`.
//
// scripts/build.sh runs this instead of cargo-leptos' `--precompress`, which compresses the same
// files with the same brotli settings (quality 11, window 22) in its own process, with a Rust port
// of brotli: in the unoptimised cargo-leptos that setup.sh installs (a 4-minute install instead of
// 18) that took 107 s, where Node's zlib (Google's C brotli) takes 11 s (2026-12-06, 2 cores).
import { brotliCompress, gzip, constants } from 'node:zlib';
import { promisify } from 'node:util';
import fs from 'node:fs/promises';
import path from 'node:path';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

async function filesUnder(dir) {
  const found = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(full)));
    else if (!/\.(br|gz)$/.test(entry.name)) found.push(full);
  }
  return found;
}

const root = process.argv[2];
if (!root) {
  console.error('usage: node scripts/precompress.mjs SITE_ROOT');
  process.exit(2);
}
const started = Date.now();
const files = await filesUnder(root);
let raw = 0;
let compressed = 0;
// libuv's thread pool runs the compressions, four at a time.
await Promise.all(
  files.map(async (file) => {
    const data = await fs.readFile(file);
    const [br, gzipped] = await Promise.all([
      brotli(data, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 11,
          [constants.BROTLI_PARAM_LGWIN]: 22,
          [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        },
      }),
      gz(data, { level: 9 }),
    ]);
    await fs.writeFile(`${file}.br`, br);
    await fs.writeFile(`${file}.gz`, gzipped);
    raw += data.length;
    compressed += br.length;
  }),
);
console.error(
  `precompressed ${files.length} files (${raw} bytes, ${compressed} as brotli) in ${Date.now() - started} ms`,
);
