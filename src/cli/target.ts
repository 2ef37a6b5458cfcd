/**
 * Every command that takes a URI also takes a contact's name: a name is
 * looked up in the node's contact list, an address is passed on as it is.
 */
import { looksLikeAddress } from '../contacts/names.js'
import { peerIdFromUri } from '../uri/index.js'
import type { ApiClient } from '../api/client.js'

/** The `pres:`/`im:` URI or peer id `text` names: itself, or the URI of the contact so named */
export async function resolveTarget (client: ApiClient, text: string): Promise<string> {
  if (looksLikeAddress(text)) {
    // a malformed address fails here, with the reason, before the node is asked
    peerIdFromUri(text)
    return text
  }
  try {
    return (await client.call('contact', { params: { contact: text } })).uri
  } catch (err: any) {
    if (err?.status === 404) throw new Error(`"${text}" is neither an address (pres:…, im:…, a peer id) nor the name of a contact (pmesh contacts lists them)`)
    throw err
  }
}
