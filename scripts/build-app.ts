/**
 * Build the web app into dist/app: app/src bundled by esbuild (preact and
 * htm included, minified, no CDN) next to the static files of app/static.
 * The node serves that folder (src/api/app-web.ts). Run by `npm run build`.
 */
import { cp, mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('../../', import.meta.url))
const out = `${root}dist/app`

await mkdir(out, { recursive: true })
await build({
  entryPoints: [`${root}app/src/main.ts`],
  bundle: true,
  format: 'esm',
  minify: true,
  target: ['chrome110', 'firefox115', 'safari16'],
  outfile: `${out}/app.js`,
  logLevel: 'warning'
})
await cp(`${root}app/static`, out, { recursive: true })
