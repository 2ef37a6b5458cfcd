/**
 * Deleting received messages: how the user frees the room the inbox limits
 * give strangers (`inbox-full` until then). Kept apart from
 * messaging-routes.ts because it is the only route that removes messages.
 */
import { peerIdFromUri } from '../uri/index.js'
import { ApiError } from './errors.js'
import type { Route } from './index.js'
import type { InstantMessaging } from '../messaging/index.js'

export function inboxRoutes (im: InstantMessaging): Route[] {
  return [{
    method: 'DELETE',
    path: '/v1/messages/:id',
    handler: async ({ params, query }) => {
      // ids are unique per sender only: `?from=im:…` picks one when several senders used the id
      const from = query.get('from')
      const sender = from != null ? peerIdFromUri(from) : undefined
      const matches = (await im.inbox()).filter(m => m.message.id === params.id && (sender == null || m.message.from.equals(sender)))
      if (matches.length === 0) throw new ApiError(404, 'not_found', `No message with id ${params.id} in the inbox`)
      if (matches.length > 1) throw new ApiError(409, 'ambiguous', `Several senders used the id ${params.id}; add ?from=im:… to pick one`)
      return { deleted: await im.deleteMessages([{ from: matches[0].message.from, id: params.id }]) }
    }
  }]
}
