import { MsflError } from '../errors/msflError.ts'
import type { NodeMaterial } from './nodeMaterial.ts'
import { ringFromWire, ringToWire } from './ring64.ts'
import type { MaterialMessage } from './smpcMessages.ts'
import { materialWords, type VerificationPlan } from './verificationPlan.ts'

/** The smpc-material message carrying one node's material. */
export function materialToMessage(session: string, material: NodeMaterial): MaterialMessage {
  const b = material.beaver
  return {
    type: 'smpc-material',
    session,
    maskRing: ringToWire(material.maskRing),
    maskPlanes: ringToWire(material.maskPlanes),
    andA: ringToWire(material.andA),
    andB: ringToWire(material.andB),
    andC: ringToWire(material.andC),
    daBitWords: ringToWire(material.daBitWords),
    daBitRing: ringToWire(material.daBitRing),
    ...(b
      ? {
          beaver: {
            matrixA: ringToWire(b.matrixA),
            matrixB: ringToWire(b.matrixB),
            matrixC: ringToWire(b.matrixC),
            labelA: ringToWire(b.labelA),
            labelB: ringToWire(b.labelB),
            labelC: ringToWire(b.labelC),
          },
        }
      : {}),
  }
}

/**
 * The material in a parsed smpc-material message, after checking that every field has
 * exactly the length the plan needs (so a short or padded message fails here, not
 * half-way through the protocol).
 */
export function materialFromMessage(
  message: MaterialMessage,
  plan: VerificationPlan,
  where: string,
): NodeMaterial {
  const expected = materialWords(plan)
  const fields: Record<string, Int32Array> = {
    maskRing: message.maskRing,
    maskPlanes: message.maskPlanes,
    andA: message.andA,
    andB: message.andB,
    andC: message.andC,
    daBitWords: message.daBitWords,
    daBitRing: message.daBitRing,
    ...(message.beaver ?? {}),
  }
  for (const name of Object.keys(expected))
    if (!(name in fields))
      throw new MsflError('PROTOCOL', `${where}: material lacks ${name} (secret validation data)`)
  for (const [name, value] of Object.entries(fields)) {
    if (expected[name] === undefined)
      throw new MsflError('PROTOCOL', `${where}: material has unexpected ${name}`)
    if (value.length !== expected[name])
      throw new MsflError(
        'PROTOCOL',
        `${where}: material ${name} has ${value.length} words, the plan needs ${expected[name]}`,
      )
  }
  // Copies: the node keeps the material beyond the message's lifetime.
  const take = (v: Int32Array) => ringFromWire(v.slice())
  const b = message.beaver
  return {
    maskRing: take(message.maskRing),
    maskPlanes: take(message.maskPlanes),
    andA: take(message.andA),
    andB: take(message.andB),
    andC: take(message.andC),
    daBitWords: take(message.daBitWords),
    daBitRing: take(message.daBitRing),
    ...(b
      ? {
          beaver: {
            matrixA: take(b.matrixA),
            matrixB: take(b.matrixB),
            matrixC: take(b.matrixC),
            labelA: take(b.labelA),
            labelB: take(b.labelB),
            labelC: take(b.labelC),
          },
        }
      : {}),
  }
}
