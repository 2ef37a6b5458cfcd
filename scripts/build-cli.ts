/**
 * Build the `pmesh` command into dist/cli: src/cli/main.ts and everything it
 * imports bundled by esbuild, so that a start-up reads a few dozen files
 * instead of resolving, reading and compiling some 675 modules one by one
 * (half the CPU of `pmesh start`: docs/design/020-start-up.md). bin/pmesh.js
 * imports dist/cli/main.js; library users keep the modules of dist/src.
 * Run by `npm run build` and `npm test`, after tsc (which checks the types:
 * esbuild only strips them).
 */
import { rm, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { build, type Plugin } from 'esbuild'

const root = fileURLToPath(new URL('../../', import.meta.url))
const out = `${root}dist/cli`

/**
 * `import … from 'node:http'` in an ES module makes Node build the module's
 * ESM facade, which reads every export, lazy ones too: that loads undici for
 * http's WebSocket and its kin, ~80 ms of CPU that `require('node:http')` does
 * not pay. The bundle's own code gets http through require (the banner's).
 */
const httpThroughRequire: Plugin = {
  name: 'http-through-require',
  setup (build) {
    // the stand-in's own require of node:http is left to Node
    build.onResolve({ filter: /^(node:)?http$/ }, args => args.namespace === 'http-through-require'
      ? { path: 'node:http', external: true }
      : { path: 'node:http', namespace: 'http-through-require' })
    build.onLoad({ filter: /.*/, namespace: 'http-through-require' }, () => ({ contents: "module.exports = require('node:http')", loader: 'js' }))
  }
}

await rm(out, { recursive: true, force: true })
const { metafile } = await build({
  entryPoints: [`${root}src/cli/main.ts`],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  // each lazily imported command and module (src/cli/main.ts, `pmesh start`'s node) stays a chunk
  // of its own, loaded when it runs: a client command still loads no libp2p
  splitting: true,
  outdir: out,
  absWorkingDir: root,
  // a native addon, found by its package through node-gyp-build at run time
  external: ['classic-level'],
  // spaces and syntax minified (3.2 → 2.1 MB to read and parse), names kept, so a stack trace still
  // names its functions; the map gives the source's lines (`node --enable-source-maps`), without the
  // sources themselves, which stay in src/ and node_modules
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  sourcesContent: false,
  // CommonJS dependencies bundled into an ES module call require() for Node's own modules
  banner: { js: "import { createRequire as __pmeshCreateRequire } from 'node:module'; const require = __pmeshCreateRequire(import.meta.url);" },
  plugins: [httpThroughRequire],
  // which modules went into which chunk: test/cli/thin-client.spec.ts reads it to see what a command
  // loads; beside dist/cli, so the package does not carry it
  metafile: true,
  logLevel: 'warning'
})
await writeFile(`${root}dist/cli.metafile.json`, JSON.stringify(metafile))
