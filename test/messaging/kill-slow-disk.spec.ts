import { burstThenKill, checkInbox, killHooks, slowDiskNode } from '../helpers/kill-burst.js'

/** A recipient whose datastore commits land late, SIGKILLed mid-burst (test/helpers/kill-burst.ts) */
describe('delivery when a slow-disk recipient is SIGKILLed mid-burst', function () {
  this.timeout(180_000)
  const current = killHooks()

  it('a recipient on a slow disk (commits 100 ms late): acknowledges only what is committed', async () => {
    const state = current()
    const node = await slowDiskNode(state.home.path, ['--commit-delay', '100'])
    state.stopChild = node.kill
    const { acknowledged, attempted } = await burstThenKill(state.sender, { info: node.first, kill: node.kill })
    const listed = await slowDiskNode(state.home.path, ['--list'])
    await listed.exited
    checkInbox(listed.first.inbox, acknowledged, attempted)
  })
})
