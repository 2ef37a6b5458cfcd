/**
 * `pmesh open`: sign the browser in to the running node's web app. The node
 * mints a one-time code; the link carrying it is handed to the desktop's
 * opener (xdg-open, or open on macOS), or printed where there is none.
 */
import { spawn } from 'node:child_process'
import { access, constants } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { ApiClient } from '../../api/client.js'
import { parse } from '../args.js'
import { print, printJson } from '../output.js'
import type { Command } from '../main.js'

export const open: Command = {
  usage: 'pmesh open [--home DIR] [--print] [--json]',
  summary: 'open the web app in the browser, signed in (--print: only print the one-time link)',
  run: async argv => {
    const { values, home } = parse(argv, { print: { type: 'boolean' } }, { min: 0, max: 0 })
    const { url } = await (await ApiClient.fromHome(home)).call('appLink')
    const opener = values.print === true || values.json === true ? undefined : await findOpener()
    const opened = opener != null && await launch(opener, url)
    if (values.json === true) {
      printJson({ url, opened })
    } else if (opened) {
      print(`opened the app in your browser (${new URL(url).origin}/)`)
    } else {
      print(url)
      print('(a one-time link: it signs in one browser and expires in 10 minutes)')
    }
  }
}

/** The desktop's "open this URL" command, if it has one */
async function findOpener (): Promise<string | undefined> {
  const name = process.platform === 'darwin' ? 'open' : process.platform === 'linux' ? 'xdg-open' : undefined
  if (name == null) return undefined
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name)
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {
      // not in this directory
    }
  }
  return undefined
}

/** An opener that fails says so at once (no browser configured); one still running has handed the link on */
const OPENER_GRACE_MS = 1_500

/** Run the opener detached: the browser outlives this command */
async function launch (opener: string, url: string): Promise<boolean> {
  return new Promise(resolve => {
    const child = spawn(opener, [url], { detached: true, stdio: 'ignore' })
    const timer = setTimeout(() => {
      child.unref()
      resolve(true)
    }, OPENER_GRACE_MS)
    const done = (ok: boolean): void => {
      clearTimeout(timer)
      resolve(ok)
    }
    child.once('error', () => done(false))
    child.once('exit', code => done(code === 0))
  })
}
