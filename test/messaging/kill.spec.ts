import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pmesh, pmeshStart } from '../helpers/cli.js'
import { burstThenKill, checkInbox, killHooks, OPEN_INBOX } from '../helpers/kill-burst.js'

/** A `pmesh start` recipient SIGKILLed mid-burst (test/helpers/kill-burst.ts says what must hold) */
describe('delivery when the recipient is SIGKILLed mid-burst', function () {
  this.timeout(180_000)
  const current = killHooks()

  it('a `pmesh start` recipient: loses no acknowledged message and stores none twice', async () => {
    const state = current()
    await writeFile(join(state.home.path, 'config.json'), JSON.stringify({ inbox: OPEN_INBOX }))
    const first = state.running = await pmeshStart(state.home.path)
    const { acknowledged, attempted } = await burstThenKill(state.sender, { info: first.info, kill: async () => { first.child.kill('SIGKILL'); await first.exited } })
    state.running = await pmeshStart(state.home.path)
    const listed = await pmesh(['inbox', '--json', '--home', state.home.path], 60_000)
    assert.equal(listed.code, 0, listed.stderr)
    checkInbox(listed.stdout.split('\n').filter(l => l !== '').map(line => JSON.parse(line).id), acknowledged, attempted)
  })
})
