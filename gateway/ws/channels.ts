/**
 * Channel names (the seed's, plus one of ours) and who may subscribe:
 *   rfqs:open            market makers: every open RFQ and its updates
 *   mm:quotes:<mm_id>    that market maker only: its quotes, accepts, executions, settlements
 *   rfq:<rfq_id>         the RFQ's owner: quotes arriving, every status change
 *   user:rfqs:<user_id>  that user only (ours): the same for all of its RFQs
 */
import type { Engine } from '../../engine/engine.ts';
import type { Principal } from '../../engine/ports/identity.ts';
import { err, ok, type Result } from '../../machines/errors.ts';
import type { ChannelKind } from '../wire/events.ts';

export const OPEN_CHANNEL = 'rfqs:open';
export const mmChannel = (mmId: string): string => `mm:quotes:${mmId}`;
export const rfqChannel = (rfqId: string): string => `rfq:${rfqId}`;
export const userChannel = (userId: string): string => `user:rfqs:${userId}`;

export interface Channel {
  name: string;
  kind: ChannelKind;
  /** The MM, RFQ or user the channel is about ('' for rfqs:open). */
  id: string;
}

export function parseChannel(name: string): Channel | null {
  if (name === OPEN_CHANNEL) return { name, kind: 'open', id: '' };
  const match = /^(mm:quotes|rfq|user:rfqs):([\x21-\x7e]{1,128})$/.exec(name);
  if (!match) return null;
  const id = match[2] as string;
  if (match[1] === 'mm:quotes') return { name, kind: 'mm', id };
  if (match[1] === 'user:rfqs') return { name, kind: 'user', id };
  return { name: rfqChannel(id.toLowerCase()), kind: 'rfq', id: id.toLowerCase() };
}

const forbidden = (channel: string) =>
  err('FORBIDDEN', { channel }, 'Not authorized to subscribe to this channel');

/** Whether the principal may subscribe. Only rfq:<id> needs a lookup (its owner). */
export async function authorize(
  engine: Engine,
  principal: Principal,
  channel: Channel,
): Promise<Result<void>> {
  switch (channel.kind) {
    case 'open':
      return principal.kind === 'mm' ? ok(undefined) : forbidden(channel.name);
    case 'mm':
      return principal.kind === 'mm' && principal.id === channel.id ? ok(undefined) : forbidden(channel.name);
    case 'user':
      return principal.kind === 'user' && principal.id === channel.id
        ? ok(undefined)
        : forbidden(channel.name);
    case 'rfq': {
      if (principal.kind !== 'user') return forbidden(channel.name);
      const view = await engine.queries.getRfq(channel.id);
      if (!view) return err('NOT_FOUND', { resource: 'rfq', id: channel.id });
      return view.userId === principal.id ? ok(undefined) : forbidden(channel.name);
    }
  }
}
