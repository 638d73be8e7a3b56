/**
 * The relay's TCP connection to the --inspect target: to the addresses checked at startup and no
 * others, each in turn (Happy Eyeballs, RFC 8305, as Node's autoSelectFamily does it), so a later DNS
 * answer cannot redirect the relay while a dual-stack `localhost` still finds a target on either family.
 */
import { connect, isIP, type LookupFunction, type Socket } from 'node:net';
import type { InspectTarget } from './inspect-target.ts';

export function connectToTarget(target: InspectTarget): Socket {
  const { addresses } = target;
  if (addresses.length <= 1) return connect({ host: target.connectHost, port: target.port, noDelay: true });
  const entries = addresses.map((address) => ({ address, family: isIP(address) }));
  // Node calls lookup with { all: true } when autoSelectFamily is on, and with a single answer otherwise.
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all === true) (callback as (error: null, entries: { address: string; family: number }[]) => void)(null, entries);
    else callback(null, entries[0]!.address, entries[0]!.family);
  };
  // The host passed is a name (never an IP literal, which would skip lookup); lookup answers for it.
  return connect({ host: target.url.hostname, port: target.port, noDelay: true, lookup, autoSelectFamily: true });
}
