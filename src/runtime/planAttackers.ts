import { type AttackSpec, parseAttackSpec } from '../core/attacks/attackCatalog.ts'
import { MsflError } from '../core/errors/msflError.ts'
import type { Rng } from '../core/rng/rng.ts'
import { shuffleInPlace } from '../core/rng/seededRng.ts'

export interface AttackPlanInput {
  readonly clients: readonly string[]
  /** One attack for the clients chosen by `malicious`. */
  readonly attack?: string | undefined
  /** Share of clients that run `attack`, in [0, 1). */
  readonly malicious: number
  /** Explicit per-client attacks (client id → attack spec), on top of the fraction. */
  readonly attackers?: Readonly<Record<string, string>> | undefined
}

/**
 * Who attacks with what. Clients for the fraction are drawn with the seeded Rng so
 * an experiment is reproducible; explicit `attackers` entries win over the draw.
 */
export function planAttackers(input: AttackPlanInput, rng: Rng): Map<string, AttackSpec> {
  const plan = new Map<string, AttackSpec>()
  const count = Math.round(input.malicious * input.clients.length)
  if (count > 0 && !input.attack)
    throw new MsflError('CONFIG_INVALID', 'attack: required when malicious is above 0')
  if (input.attack && count === 0 && !input.attackers)
    throw new MsflError(
      'CONFIG_INVALID',
      `malicious: ${input.malicious} of ${input.clients.length} clients is no attacker; raise it or set attackers`,
    )
  if (input.attack && count > 0) {
    const spec = parseAttackSpec(input.attack)
    const order = shuffleInPlace([...input.clients], rng)
    for (const client of order.slice(0, count).sort()) plan.set(client, spec)
  }
  for (const [client, text] of Object.entries(input.attackers ?? {})) {
    if (!input.clients.includes(client))
      throw new MsflError(
        'CONFIG_INVALID',
        `attackers.${client}: no such client (clients are ${input.clients[0]} … ${input.clients.at(-1)})`,
      )
    plan.set(client, parseAttackSpec(text))
  }
  return plan
}

/** Client id → attack name, as events and reports show the attackers. */
export function attackerNames(attackers: ReadonlyMap<string, AttackSpec>): Record<string, string> {
  return Object.fromEntries([...attackers].map(([id, a]) => [id, a.name]))
}
