import { MsflError } from '../errors/msflError.ts'
import type { Rng } from '../rng/rng.ts'
import { assertShareRng } from './assertShareRng.ts'
import { dealMaterial } from './dealMaterial.ts'
import { materialToMessage } from './materialMessage.ts'
import { dealSchema, type MaterialMessage, parseSmpcMessage } from './smpcMessages.ts'
import { planVerification } from './verificationPlan.ts'

export interface DealerStep {
  readonly reply: unknown
  /** One smpc-material per node, to be delivered before the reply. */
  readonly sends: readonly { readonly to: string; readonly message: MaterialMessage }[]
}

/**
 * The dealer as a message handler: on smpc-deal it plans the session from the public
 * shape and deals every node its material (dealMaterial.ts). It deals each session
 * once, so nobody can make it reuse masks by asking twice.
 */
export function createDealer(options: { readonly rng: Rng; readonly simulation?: boolean }): {
  receive(message: unknown): DealerStep
} {
  assertShareRng(options.rng, options.simulation, 'SMPC dealer')
  const dealt = new Set<string>()
  return {
    receive(message) {
      const m = parseSmpcMessage(dealSchema, message, 'dealer')
      if (dealt.has(m.session))
        throw new MsflError(
          'PROTOCOL',
          `dealer: session ${JSON.stringify(m.session)} was already dealt`,
        )
      if (new Set(m.nodes).size !== m.nodes.length)
        throw new MsflError('PROTOCOL', 'dealer: smpc-deal lists a node twice')
      let plan: ReturnType<typeof planVerification>
      try {
        plan = planVerification(m.shape)
      } catch (cause) {
        throw new MsflError('PROTOCOL', `dealer: ${(cause as Error).message}`, { cause })
      }
      const materials = dealMaterial(plan, m.nodes.length, options.rng)
      dealt.add(m.session)
      return {
        reply: { type: 'smpc-ack', session: m.session },
        sends: m.nodes.map((to, p) => ({
          to,
          message: materialToMessage(m.session, materials[p]!),
        })),
      }
    },
  }
}
