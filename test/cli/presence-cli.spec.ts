import assert from 'node:assert/strict'
import { pmesh, pmeshStart, pmeshStream } from '../helpers/cli.js'
import { cliSession, presenceLine } from '../helpers/cli-session.js'

describe('pmesh presence commands', function () {
  this.timeout(90_000)
  const session = cliSession()
  const { home, running, streams } = session

  it('publishes a status that another node fetches, as JSON and as PIDF', async () => {
    const { a, c, uriA } = await presenceLine(session)
    const set = await pmesh(['status', 'set', 'busy', '--note', 'in a meeting', '--lang', 'en', '--email', 'alice@example.org', '--home', a, '--json'])
    assert.equal(set.code, 0, set.stderr)
    const fetched = await pmesh(['fetch', uriA, '--home', c, '--json'])
    assert.equal(fetched.code, 0, fetched.stderr)
    const view = JSON.parse(fetched.stdout)
    assert.equal(view.basic, 'open')
    assert.equal(view.availability, 'busy')
    assert.equal(view.note, 'in a meeting')
    assert.ok(typeof view.updated === 'string')
    const pidf = await pmesh(['fetch', uriA, '--home', c, '--format', 'pidf'])
    assert.match(pidf.stdout, /<basic>open<\/basic>/)
    assert.match(pidf.stdout, /<rpid:busy\/>/)
    // the foreign case: `watch --duration 0` exited before the notify of its one-time fetch came
    const once = await pmesh(['watch', uriA, '--home', c, '--json', '--duration', '0'], 40_000)
    assert.equal(once.code, 0, once.stderr)
    const notifies = once.stdout.trim().split('\n').map(l => JSON.parse(l))
    assert.equal(notifies.length, 1, once.stdout)
    assert.deepEqual([notifies[0].basic, notifies[0].availability, notifies[0].note], ['open', 'busy', 'in a meeting'])
  })

  it('offline leaves no busy behind, and watching a presentity nobody knows says so rather than "granted"', async () => {
    const { a, c, uriA } = await presenceLine(session)
    assert.equal((await pmesh(['status', 'set', 'busy', '--home', a])).code, 0)
    assert.equal((await pmesh(['status', 'set', 'offline', '--home', a])).code, 0)
    const own = JSON.parse((await pmesh(['status', '--home', a, '--json'])).stdout)
    assert.deepEqual([own.basic, own.availability], ['closed', 'unknown'])

    const nobody = 'pres:12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBhVAWYKLy1VJDk'
    const watch = pmeshStream(['watch', nobody, uriA, '--home', c, '--duration', '60'])
    streams.push(watch)
    const stderr: string[] = []
    watch.child.stderr?.on('data', chunk => { stderr.push(String(chunk)) })
    await watch.waitForLine(line => line.includes(uriA))
    const said = stderr.join('')
    assert.match(said, new RegExp(`waiting for ${nobody}: nothing is known of it yet`))
    assert.match(said, new RegExp(`waiting for ${uriA} to come online`))
    assert.doesNotMatch(said, /granted/)
  })

  it('rejects bad presence input with clear errors', async () => {
    const a = await home()
    running.push(await pmeshStart(a))
    const cases: Array<[string[], number, RegExp]> = [
      [['status', 'set', 'sleepy', '--home', a], 2, /unknown state "sleepy"/],
      [['status', 'set', 'busy', '--email', 'not an email', '--home', a], 1, /email/i],
      [['fetch', 'pres:nobody@example.com', '--home', a], 1, /not a presence-mesh peer id/],
      [['fetch', 'nonsense', '--home', a], 1, /"nonsense" is neither an address .* nor the name of a contact/],
      [['fetch', 'pres:12D3KooWNvSZnPi3RrhrTwEY4LuuBeB6K6facKUCJcyWG1aoDd2p', '--home', a], 1, /No presence record found/],
      [['watch', '--home', a], 2, /Missing argument/],
      [['watch', 'pres:12D3KooWNvSZnPi3RrhrTwEY4LuuBeB6K6facKUCJcyWG1aoDd2p', '--duration', 'forever', '--home', a], 2, /--duration/]
    ]
    for (const [args, code, stderr] of cases) {
      const result = await pmesh(args)
      assert.equal(result.code, code, `pmesh ${args.join(' ')}: ${result.stderr}`)
      assert.match(result.stderr, stderr)
    }
  })
})
