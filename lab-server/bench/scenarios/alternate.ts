/** Alternating rounds: lab, ws, lab, ws, ... so slow drifts in machine load hit both servers alike. */
import { SERVER_KINDS, type ServerHandle, type ServerKind } from '../servers/spawn-server.ts';

export type Results<T> = Record<ServerKind, T[]>;

export async function alternate<T>(
  rounds: number,
  servers: Record<ServerKind, ServerHandle>,
  run: (server: ServerHandle, round: number) => Promise<T>,
): Promise<Results<T>> {
  const results: Results<T> = { lab: [], ws: [] };
  for (let round = 0; round < rounds; round++) {
    for (const kind of SERVER_KINDS) results[kind].push(await run(servers[kind], round));
  }
  return results;
}
