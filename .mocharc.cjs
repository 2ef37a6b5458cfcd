/*
 * Mocha's settings for `npm test` and `npx mocha`. The spec list puts the
 * slowest files first: `npm test` runs files in parallel (scripts/test.ts),
 * and a long file started last would run alone at the end while the other
 * workers idle. SLOWEST_FIRST is measured (docs/design/018-test-speed.md);
 * every other spec file in dist/test follows in name order, so a new or
 * renamed file still runs, only without its place in the queue.
 */
const { readdirSync } = require('node:fs')
const { join } = require('node:path')

const TESTS = join(__dirname, 'dist', 'test')

/**
 * Spec files (relative to dist/test, without .spec.js) that took 20 s or
 * more, longest first: each file timed alone, four at a time, on two loaded
 * cores (2026-12-03). Only the order matters, so the list needs refreshing
 * only when a file becomes one of the long ones.
 */
const SLOWEST_FIRST = [
  'cli/install',
  'app/app',
  'cli/cli',
  'cli/recovery-watcher',
  'cli/contacts-restart',
  'cli/contacts-cli',
  'presence/connections',
  'cli/presence-watch',
  'cli/recovery-presentity',
  'cli/presence-cli',
  'contacts/contacts',
  'gateway/xmpp',
  'node/mesh',
  'node/ops',
  'cli/desktop',
  'presence/pidf',
  'adversarial/wills',
  'cli/thin-client',
  'presence/service',
  'presence/push-cost',
  'cli/watch-once',
  'messaging/routing',
  'messaging/kill',
  'messaging/kill-slow-disk',
  'cli/files-cli',
  'cli/gateway-cli',
  'node/relay-limits',
  'access/access',
  'cli/access-cli',
  'cli/service',
  'presence/stock-bootstrap',
  'cli/contacts-join',
  'cli/inbox-cli',
  'cli/output',
  'presence/push-verdicts-cache',
  'node/drop-in',
  'messaging/delivery',
  'messaging/stream-wire'
]

function specFiles () {
  let found
  try {
    found = readdirSync(TESTS, { recursive: true }).filter(file => file.endsWith('.spec.js')).sort()
  } catch {
    // not built yet: let mocha say that no file matched
    return ['dist/test/**/*.spec.js']
  }
  const first = SLOWEST_FIRST.map(name => `${name}.spec.js`).filter(file => found.includes(file))
  const rest = found.filter(file => !first.includes(file))
  return [...first, ...rest].map(file => join('dist', 'test', file))
}

module.exports = {
  spec: specFiles(),
  timeout: 30000,
  exit: true,
  reporter: 'spec'
}
