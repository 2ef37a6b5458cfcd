/**
 * Argument parsing shared by every command, on node:util's parseArgs, with
 * its errors turned into UsageError.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { resolveHome } from '../node/home.js'
import { UsageError } from './errors.js'

type Options = NonNullable<ParseArgsConfig['options']>

/** Options every command takes */
export const COMMON_OPTIONS = {
  home: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const satisfies Options

export interface Parsed<V> {
  values: V & { home?: string, json?: boolean, help?: boolean }
  positionals: string[]
  home: string
}

export function parse<O extends Options> (argv: string[], options: O, positionals: { min: number, max: number }): Parsed<ReturnType<typeof parseArgs<{ options: O & typeof COMMON_OPTIONS, allowPositionals: true }>>['values']> {
  let result
  try {
    result = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true })
  } catch (err: any) {
    throw new UsageError(err.message)
  }
  const values = result.values as any
  if (values.help !== true) {
    if (result.positionals.length < positionals.min) throw new UsageError('Missing argument')
    if (result.positionals.length > positionals.max) throw new UsageError(`Unexpected argument "${result.positionals[positionals.max]}"`)
  }
  return { values, positionals: result.positionals, home: resolveHome(values.home) }
}

/**
 * The peer id (as text) that a typed `pres:`/`im:` URI or bare peer id names. The URI code
 * loads the key code (@libp2p/crypto, a third of a second), so it is loaded here, by the
 * commands that take a URI, when they run: `pmesh id` or `status` never pay for it.
 */
export async function peerIdOf (input: string): Promise<string> {
  const { peerIdFromUri } = await import('../uri/index.js')
  return peerIdFromUri(input).toString()
}
