/**
 * The package's own folder (package.json, bin/, dist/), for the few files the
 * program reads beside its code: its version, the web app's assets, the
 * launcher a service unit runs. The code runs from one of two places: the
 * library's modules compiled by tsc (this file at dist/src/utils/), or the
 * `pmesh` command's bundle, where esbuild puts every module into chunks of
 * dist/cli/ (scripts/build-cli.ts) and import.meta.url names the chunk. A
 * path relative to each caller's own file would be right in one and wrong in
 * the other, so every such path starts here.
 */
const IN_TSC_OUTPUT = import.meta.url.includes('/dist/src/')

export const PACKAGE_ROOT = new URL(IN_TSC_OUTPUT ? '../../../' : '../../', import.meta.url)

/** A file or folder of the package, by its path from the package's root (`dist/app/`) */
export function packageFile (path: string): URL {
  return new URL(path, PACKAGE_ROOT)
}
