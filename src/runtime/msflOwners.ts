import { parseAttackSpec } from '../core/attacks/attackCatalog.ts'
import type { Dataset } from '../core/data/dataset.ts'
import type { BlockLayout } from '../core/msfl/blockLayout.ts'
import { createMsflDataOwner } from '../core/msfl/createMsflDataOwner.ts'
import type { MsflModelShape } from '../core/msfl/msflModel.ts'
import type { HeEvaluator } from '../core/ports/he.ts'
import type { MessageHandler } from '../core/ports/transport.ts'
import type { Rng } from '../core/rng/rng.ts'

/** Everything needed to stand up data owners anywhere (this thread or a worker): plain, cloneable values. */
export interface MsflOwnersSpec {
  readonly publicMaterial: Uint8Array
  readonly layout: BlockLayout
  readonly shape: MsflModelShape
  readonly batchSize: number
  readonly seed: number
  readonly owners: readonly {
    readonly clientId: string
    readonly data: Dataset
    readonly attack?: string
  }[]
}

/** The MS-FL data owners of a run, as message handlers by node id. */
export interface MsflOwners {
  readonly handlers: ReadonlyMap<string, MessageHandler>
  /** Frees the owners' HE memory and stops their worker threads. */
  dispose(): Promise<void>
}

/** Builds the data owners of a spec in this thread, sharing one evaluator of public material. */
export function createOwnersWith(
  spec: MsflOwnersSpec,
  he: HeEvaluator,
  csprng: () => Rng,
): Map<string, MessageHandler> {
  return new Map(
    spec.owners.map((owner) => [
      owner.clientId,
      createMsflDataOwner({
        clientId: owner.clientId,
        he,
        layout: spec.layout,
        shape: spec.shape,
        data: owner.data,
        batchSize: spec.batchSize,
        seed: spec.seed,
        floodRng: csprng(),
        ...(owner.attack ? { attack: parseAttackSpec(owner.attack) } : {}),
      }),
    ]),
  )
}
