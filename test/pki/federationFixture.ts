import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createFederationCa,
  type IssueParticipantParameters,
  issueParticipant,
  writeStartupKit,
} from '../../src/adapters/pki/index.ts'

/** A fresh federation CA in a temporary folder, and a way to issue kits from it. */
export async function createTestFederation(federation = 'test-fed') {
  const root = mkdtempSync(join(tmpdir(), 'msfl-pki-'))
  const dir = join(root, 'pki')
  const ca = await createFederationCa({ dir, federation })
  return {
    root,
    dir,
    ca,
    /** Issues a certificate and writes its kit to `<root>/kits/<name>`; returns the kit dir. */
    async kit(
      role: IssueParticipantParameters['role'],
      name: string,
      extra: Partial<IssueParticipantParameters> = {},
    ): Promise<string> {
      const issued = await issueParticipant({ dir, role, name, ...extra })
      const out = join(root, 'kits', name)
      await writeStartupKit({ dir, issued, endpoint: 'localhost:7443', job: 'adult-fedavg', out })
      return out
    },
  }
}
