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
 * Spec files (relative to dist/test, without .spec.js) that took 6 s or
 * more, longest first: the sum of their tests' times in a clean-clone
 * `.ci/run` on an otherwise idle 2-core machine (2026-12-03, after the long
 * CLI and app files were split). Only the order matters, so the list needs
 * refreshing only when a file becomes one of the long ones.
 */
const SLOWEST_FIRST = [
  'cli/install',
  'cli/cli',
  'cli/contacts-restart',
  'cli/contacts-cli',
  'cli/recovery-watcher',
  'app/app',
  'presence/connections',
  'gateway/xmpp',
  'presence/stock-bootstrap',
  'cli/recovery-presentity',
  'app/app-chat',
  'messaging/large-bodies',
  'adversarial/parts',
  'cli/presence-cli',
  'cli/presence-watch',
  'adversarial/wills',
  'presence/service',
  'presence/push-cost',
  'access/access',
  'cli/files-cli',
  'cli/access-cli',
  'messaging/routing',
  'cli/desktop',
  'cli/contacts-join',
  'cli/gateway-cli',
  'adversarial/push-floods',
  'contacts/contacts',
  'cli/node-cli',
  'node/mesh',
  'adversarial/streams',
  'cli/inbox-cli',
  'messaging/kill-slow-disk',
  'messaging/kill'
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
