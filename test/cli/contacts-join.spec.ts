import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pmesh, pmeshStart } from '../helpers/cli.js'
import { cliSession } from '../helpers/cli-session.js'
import { waitFor } from '../helpers/temp.js'

describe('pmesh community invitations and --join', function () {
  this.timeout(180_000)
  const { home, run, running } = cliSession()

  it('a relay prints a community invitation; --join and "join" in config.json find it without a multiaddr', async () => {
    const [r, n, m] = await Promise.all([home(), home(), home()])
    const relay = await pmeshStart(r, ['--relay'])
    running.push(relay)
    const invite = (relay.info as any).invite as string
    assert.match(invite, /^pmesh:/)
    assert.match(await run(['invite', '--community', '--home', r]), /^pmesh:/)
    const joined = await pmeshStart(n, ['--join', invite])
    running.push(joined)
    await waitFor(async () => (await run(['peers', '--home', n])).includes(relay.info.peerId), 15_000, 'the relay among the peers')
    await writeFile(join(m, 'config.json'), JSON.stringify({ join: invite }))
    const fromConfig = await pmeshStart(m)
    running.push(fromConfig)
    await waitFor(async () => (await run(['peers', '--home', m])).includes(relay.info.peerId), 15_000, 'the relay among the peers')
    // a personal invitation is not for joining, and a damaged one says so
    const personal = (await run(['invite', '--home', n])).trim()
    const wrong = await pmesh(['start', '--home', await home(), '--join', personal])
    assert.equal(wrong.code, 1)
    assert.match(wrong.stderr, /personal invitation adds a contact/)
    const accepted = await pmesh(['contacts', 'add', invite, '--home', n])
    assert.equal(accepted.code, 1)
    assert.match(accepted.stderr, /community invitation/)
  })
})
