import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { validateXML } from 'xmllint-wasm'
import { fromPidf, toPidf } from '../../src/presence/pidf.js'
import { allPresentities, comparable, makeKeys, recordArb, sampleRecord } from './helpers.js'
import type { PidfPresence } from '../../src/presence/pidf.js'
import type { PresenceRecord } from '../../src/presence/record.js'
import type { PeerId } from '@libp2p/interface'

const FIXTURES = new URL('../../../test/fixtures/pidf/', import.meta.url)

interface Validation { valid: boolean, output: string }

/**
 * Validate documents against RFC 3863 PIDF plus the extension schemas it
 * lax-validates (data model, RPID, CIPID, caps), in one libxml2 run.
 */
async function validatePidf (documents: string[]): Promise<Validation> {
  const dir = new URL('schemas/', FIXTURES)
  const names = (await readdir(dir)).filter(name => name !== 'ALL-driver.xsd')
  const result = await validateXML({
    xml: documents.map((contents, i) => ({ fileName: `doc${i}.xml`, contents })),
    schema: [await readFile(new URL('ALL-driver.xsd', dir), 'utf8')],
    preload: await Promise.all(names.map(async fileName => ({ fileName, contents: await readFile(new URL(fileName, dir), 'utf8') })))
  })
  return { valid: result.valid, output: result.rawOutput }
}

async function example (name: string): Promise<string> {
  return readFile(new URL(`examples/${name}`, FIXTURES), 'utf8')
}

/** The part of a record that PIDF carries */
function meaning (record: PresenceRecord): unknown {
  const { presentity, basic, availability, note, contact, issuedAt, extensions } = comparable(record) as Record<string, unknown>
  return { presentity, basic, availability, note, contact, issuedAt, extensions }
}

function meaningOf (pidf: PidfPresence, presentity: PeerId): unknown {
  assert.equal(pidf.entity, `pres:${presentity.toString()}`)
  assert.ok(pidf.presentity?.equals(presentity))
  return meaning({ ...pidf, presentity: pidf.presentity!, issuedAt: pidf.issuedAt ?? NaN, addresses: [], seq: 0n, expiresAt: 0 })
}

describe('PIDF', function () {
  this.timeout(120_000)
  let presentities: PeerId[]
  let record: PresenceRecord

  before(async () => {
    presentities = allPresentities(await makeKeys())
    record = sampleRecord(peerIdFromPrivateKey((await makeKeys())[0]))
  })

  it('exports the RFC 3863 structure with RPID, CIPID and our contact elements', async () => {
    const xml = toPidf(record)
    const id = record.presentity.toString()
    assert.match(xml, new RegExp(`<presence xmlns="urn:ietf:params:xml:ns:pidf".* entity="pres:${id}">`))
    assert.match(xml, /<tuple id="t"><status><basic>open<\/basic><\/status>/)
    assert.match(xml, new RegExp(`<contact>im:${id}</contact>`))
    assert.match(xml, /<note xml:lang="en-GB">In a meeting &lt;until&gt; 3 &amp; then "free"<\/note>/)
    assert.match(xml, /<timestamp>2026-01-01T00:00:00.000Z<\/timestamp>/)
    assert.match(xml, /<dm:person id="p"><rpid:activities><rpid:busy\/><\/rpid:activities>/)
    assert.match(xml, /<pm:postal>1 Example Road\nLondon<\/pm:postal><cipid:homepage>https:\/\/ada.example.com\/<\/cipid:homepage>/)
    assert.match(xml, /<x:hash xmlns:x="urn:example:avatar" pm:encoding="base64">AAEC\/v8=<\/x:hash>/)
    const validation = await validatePidf([xml])
    assert.ok(validation.valid, validation.output)
  })

  it('keeps the meaning of every availability and basic status through PIDF', async () => {
    const variants = (['open', 'closed'] as const).flatMap(basic =>
      (['unknown', 'available', 'busy', 'idle', 'away', 'do-not-disturb'] as const).map(availability =>
        ({ ...record, basic, availability })))
    const documents = variants.map(variant => toPidf(variant))
    for (const [i, variant] of variants.entries()) {
      assert.deepStrictEqual(meaningOf(fromPidf(documents[i]), variant.presentity), meaning(variant))
    }
    const validation = await validatePidf(documents)
    assert.ok(validation.valid, validation.output)
  })

  it('shows an expired record as closed with its last update time', () => {
    const pidf = fromPidf(toPidf(record, { now: record.expiresAt }))
    assert.equal(pidf.basic, 'closed')
    assert.equal(pidf.issuedAt, record.issuedAt)
    assert.equal(fromPidf(toPidf(record, { now: record.issuedAt })).basic, 'open')
  })

  it('escapes markup and line ends in text so they read back unchanged', () => {
    const text = '<b>&amp;</b> "quoted" \'single\' ]]> line\r\nnext\rlast\ttab'
    const pidf = fromPidf(toPidf({ ...record, note: { text }, extensions: [{ ns: 'urn:x:a&b', name: 'n', value: text }] }))
    assert.equal(pidf.note?.text, text)
    assert.deepStrictEqual(pidf.extensions, [{ ns: 'urn:x:a&b', name: 'n', value: text }])
  })

  it('rejects, rather than strips, characters XML cannot carry', () => {
    for (const text of ['\u0000', 'bell\u0007', 'esc\u001b[0m', '\uffff', 'half \ud83d']) {
      assert.throws(() => toPidf({ ...record, note: { text } }), { name: 'InvalidPresenceRecordError' })
    }
  })

  it('has a validator that checks RPID, CIPID and xml:lang content too', async () => {
    const xml = toPidf(record)
    const broken = [
      xml.replace('<rpid:busy/>', '<rpid:bussy/>'),
      xml.replace('https://ada.example.com/', 'https://ada.example.com/%zz'),
      xml.replace('xml:lang="en-GB"', 'xml:lang="en GB"')
    ]
    for (const document of broken) {
      assert.notEqual(document, xml)
      assert.equal((await validatePidf([document])).valid, false)
    }
  })

  it('validates the RFC 3863 examples and rejects the invalid ones', async () => {
    const names = (await readdir(new URL('examples/', FIXTURES))).sort()
    for (const name of names) {
      const validation = await validatePidf([await example(name)])
      assert.equal(validation.valid, !name.startsWith('INVALID-'), `${name}: ${validation.output}`)
    }
  })

  it('reads the RFC 3863 examples', async () => {
    const full = fromPidf(await example('rfc3863-bs35r9-full-example.xml'))
    assert.equal(full.entity, 'pres:someone@example.com')
    assert.equal(full.presentity, undefined)
    assert.equal(full.basic, 'open')
    assert.deepStrictEqual(full.note, { text: 'Don\'t Disturb Please!', lang: 'en' })
    assert.deepStrictEqual(full.contact.emails, ['someone@example.com'])
    assert.equal(full.issuedAt, Date.UTC(2001, 9, 27, 16, 49, 29))

    const ext = fromPidf(await example('rfc3863-ck38g9-tuple-and-presence-ext.xml'))
    assert.deepStrictEqual(ext.contact.phones, ['+09012345678'])
    assert.deepStrictEqual(ext.extensions, [{ ns: 'http://id.example.com/presence/', name: 'mytag', value: 'My extended presentity information' }])

    for (const name of ['rfc3863-sg89ae-default-ns.xml', 'rfc3863-sg89ae-prefixed-ns.xml', 'rfc3863-tj25ds-mustUnderstand.xml', 'rfc3863-ub93s3-local-status-ext.xml']) {
      const pidf = fromPidf(await example(name))
      assert.equal(pidf.entity, 'pres:someone@example.com', name)
      assert.equal(pidf.basic, 'open', name)
      assert.equal(pidf.availability, 'unknown', name)
    }
  })

  it('reads RPID availability written by others', () => {
    const doc = (person: string, tuple = ''): string => `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" entity="pres:a@example.com"><tuple id="a"><status><basic>open</basic></status>${tuple}</tuple><dm:person id="p">${person}</dm:person></presence>`
    assert.equal(fromPidf(doc('<r:activities><r:meeting/></r:activities>')).availability, 'busy')
    assert.equal(fromPidf(doc('<r:activities><r:vacation/></r:activities>')).availability, 'away')
    assert.equal(fromPidf(doc('', '<r:user-input idle-threshold="600">idle</r:user-input>')).availability, 'idle')
  })

  // The four cases below come from documents written by other PIDF producers (SIP/SIMPLE clients)
  const FOREIGN = 'xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" entity="pres:someone@example.com"'

  it('keeps NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR in an XML 1.0 note, as XML 1.0 says', () => {
    const text = 'one\u0085two\u2028three\u2029four\r\nfive'
    const xml = `<?xml version="1.0" encoding="UTF-8"?><presence ${FOREIGN}><tuple id="a"><status><basic>open</basic></status><note>${text}</note></tuple></presence>`
    assert.equal(fromPidf(xml).note?.text, 'one\u0085two\u2028three\u2029four\nfive')
    // our own export carries them too
    const exported = fromPidf(toPidf({ ...record, note: { text: 'a\u2028b\u0085c\u2029' } }))
    assert.equal(exported.note?.text, 'a\u2028b\u0085c\u2029')
    // an XML 1.1 document keeps the XML 1.1 rule: they are line ends
    assert.equal(fromPidf(xml.replace('version="1.0"', 'version="1.1"')).note?.text, 'one\ntwo\nthree\nfour\nfive')
  })

  it("does not take an assistant's mailto: contact for the presentity's own e-mail", () => {
    const xml = `<presence ${FOREIGN}>
      <tuple id="own"><status><basic>open</basic></status><contact>mailto:someone@example.com</contact></tuple>
      <tuple id="assistant"><status><basic>open</basic></status><r:relationship><r:assistant/></r:relationship><contact>mailto:secretary@example.com</contact></tuple>
      <tuple id="self"><status><basic>open</basic></status><r:relationship><r:self/></r:relationship><contact>tel:+15551234</contact></tuple>
    </presence>`
    const { contact } = fromPidf(xml)
    assert.deepEqual(contact.emails, ['someone@example.com'])
    assert.deepEqual(contact.phones, ['+15551234'])
  })

  it('ignores RPID activities whose until has passed or whose from has not come', () => {
    const doc = (attributes: string): string => `<presence ${FOREIGN}><tuple id="a"><status><basic>open</basic></status><r:user-input>active</r:user-input></tuple><dm:person id="p"><r:activities ${attributes}><r:meeting/></r:activities></dm:person></presence>`
    const now = Date.parse('2026-06-01T12:00:00Z')
    assert.equal(fromPidf(doc('until="2026-06-01T11:00:00Z"'), { now }).availability, 'available')
    assert.equal(fromPidf(doc('from="2026-06-01T13:00:00+00:00"'), { now }).availability, 'available')
    assert.equal(fromPidf(doc('from="2026-06-01T11:00:00Z" until="2026-06-01T13:00:00Z"'), { now }).availability, 'busy')
    assert.equal(fromPidf(doc('until="2005-05-30T22:00:29Z"')).availability, 'available', 'default now')
  })

  it('honours an xml:lang inherited from the tuple or the document', () => {
    const doc = (presence: string, tuple: string, note: string): string => `<presence ${FOREIGN} ${presence}><tuple id="a" ${tuple}><status><basic>open</basic></status><note ${note}>Hallo</note></tuple></presence>`
    assert.equal(fromPidf(doc('xml:lang="de"', '', '')).note?.lang, 'de')
    assert.equal(fromPidf(doc('xml:lang="de"', 'xml:lang="de-AT"', '')).note?.lang, 'de-AT')
    assert.equal(fromPidf(doc('xml:lang="de"', '', 'xml:lang="fr"')).note?.lang, 'fr')
    assert.equal(fromPidf(doc('xml:lang="de"', 'xml:lang=""', '')).note?.lang, undefined, 'an empty xml:lang resets it')
  })

  it('refuses what is not PIDF', async () => {
    for (const xml of ['', 'not xml', '<presence entity="x"><tuple>', '<p xmlns="urn:ietf:params:xml:ns:pidf" entity="x"/>',
      '<presence xmlns="urn:ietf:params:xml:ns:pidf"/>', await example('INVALID-puapl-pals-internet2-no-namespace.xml')]) {
      assert.throws(() => fromPidf(xml), { name: 'InvalidPidfError' }, xml)
    }
  })

  it('exports any valid record as schema-valid PIDF that keeps its meaning', async () => {
    // Batches, because each libxml2 run costs ~150 ms; a failing batch still shrinks
    await fc.assert(fc.asyncProperty(fc.array(recordArb(presentities), { minLength: 1, maxLength: 25 }), async (records) => {
      const documents = records.map(arbitrary => toPidf(arbitrary))
      for (const [i, arbitrary] of records.entries()) {
        assert.deepStrictEqual(meaningOf(fromPidf(documents[i]), arbitrary.presentity), meaning(arbitrary))
      }
      const validation = await validatePidf(documents)
      assert.ok(validation.valid, `${validation.output}\n${documents.join('\n')}`)
    }), { numRuns: 20 })
  })
})
