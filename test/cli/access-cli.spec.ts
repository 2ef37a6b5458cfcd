/**
 * `pmesh policy`, `allow`, `block`, `revoke`, `requests` on real `pmesh`
 * processes: a denied fetch or watch exits non-zero saying "refused", a
 * politely blocked one exits 0 and shows closed, and a request waiting for
 * the user is listed and approved from the command line.
 */
import assert from 'node:assert/strict'
import { pmesh, pmeshStart, pmeshStream, stopProcess, type RunningNode, type StreamingCommand } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp.js'

describe('pmesh access commands', function () {
  this.timeout(90_000)
  const running: RunningNode[] = []
  const streams: StreamingCommand[] = []
  const dirs: Array<Awaited<ReturnType<typeof tempDir>>> = []
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.child.kill('SIGKILL')
    await Promise.all(running.splice(0).map(async node => stopProcess(node, 'SIGKILL')))
    await Promise.all(dirs.splice(0).map(async dir => dir.remove()))
  })

  it('refuses a denied watcher, shows a blocked one closed, and approves a waiting request', async () => {
    const homes = await Promise.all([tempDir(), tempDir(), tempDir()])
    dirs.push(...homes)
    const [p, w, d] = homes.map(dir => dir.path)
    const [nodeP, nodeW, nodeD] = await Promise.all([pmeshStart(p), pmeshStart(w), pmeshStart(d)])
    running.push(nodeP, nodeW, nodeD)
    for (const home of [w, d]) assert.equal((await pmesh(['connect', nodeP.info.addresses[0], '--home', home])).code, 0)
    const uriP = nodeP.info.uri

    const set = await pmesh(['policy', 'set', '--default', 'deny', '--home', p])
    assert.equal(set.code, 0, set.stderr)
    assert.match(set.stdout, /default: +deny/)
    assert.match(set.stdout, /anonymous watchers: +refused/)
    assert.equal((await pmesh(['block', nodeD.info.uri, '--home', p])).code, 0)
    assert.equal((await pmesh(['status', 'set', 'busy', '--note', 'not for strangers', '--home', p])).code, 0)

    const denied = await pmesh(['fetch', uriP, '--home', w])
    assert.notEqual(denied.code, 0)
    assert.match(denied.stderr, /refused/)
    assert.doesNotMatch(denied.stdout, /not for strangers/)
    const deniedWatch = await pmesh(['watch', uriP, '--duration', '10', '--home', w])
    assert.notEqual(deniedWatch.code, 0)
    assert.match(deniedWatch.stderr, /refused/)

    const blocked = await pmesh(['fetch', uriP, '--home', d, '--json'])
    assert.equal(blocked.code, 0, blocked.stderr)
    const blockedView = JSON.parse(blocked.stdout)
    assert.equal(blockedView.basic, 'closed')
    assert.equal(blockedView.note, null)
    assert.equal(blockedView.access, 'granted')

    // ask: W's watch waits, P lists and approves the request, W's watch shows P
    assert.equal((await pmesh(['policy', 'set', '--default', 'ask', '--home', p])).code, 0)
    const follow = pmeshStream(['requests', '--follow', '--json', '--home', p])
    streams.push(follow)
    const watch = pmeshStream(['watch', uriP, '--duration', '60', '--json', '--home', w])
    streams.push(watch)
    let listed: any[] = []
    for (let i = 0; i < 40 && listed.length === 0; i++) {
      listed = JSON.parse((await pmesh(['requests', '--json', '--home', p])).stdout)
      if (listed.length === 0) await new Promise(resolve => setTimeout(resolve, 250))
    }
    assert.deepEqual(listed.map(r => r.uri), [nodeW.info.uri])
    // announced as it comes, or listed as waiting if the follower started after it
    const told = JSON.parse(await follow.waitForLine(l => JSON.parse(l).uri === nodeW.info.uri, 10_000))
    assert.ok(told.transactionId != null)
    const waiting = JSON.parse((await pmesh(['subscriptions', '--json', '--home', w])).stdout)
    assert.equal(waiting[0].awaitingApproval, true)
    const approve = await pmesh(['requests', 'approve', nodeW.info.uri, '--view', 'availability', '--home', p])
    assert.equal(approve.code, 0, approve.stderr)
    const line = await watch.waitForLine(l => JSON.parse(l).access === 'granted', 15_000)
    const granted = JSON.parse(line)
    assert.equal(granted.availability, 'busy')
    assert.equal(granted.note, null)

    const policy = JSON.parse((await pmesh(['policy', '--json', '--home', p])).stdout)
    assert.deepEqual(policy.rules.map((r: any) => `${r.uri} ${r.rule} ${r.view ?? ''}`).sort(), [`${nodeD.info.uri} block `, `${nodeW.info.uri} allow availability`].sort())
    assert.deepEqual(policy.requests, [])
    // blocking covers messages too
    const inbox = JSON.parse((await pmesh(['inbox', 'policy', '--json', '--home', p])).stdout)
    assert.deepEqual(inbox.block, [nodeD.info.peerId])
  })

  it('rejects a bad default or view with a usage error', async () => {
    const dir = await tempDir()
    dirs.push(dir)
    const bad = await pmesh(['policy', 'set', '--default', 'maybe', '--home', dir.path])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /public, ask, deny/)
    const view = await pmesh(['allow', 'pres:12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA', '--view', 'everything', '--home', dir.path])
    assert.equal(view.code, 2)
    assert.match(view.stderr, /full, availability, basic/)
  })
})
