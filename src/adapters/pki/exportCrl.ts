import { readPkiDirectory } from './pkiDirectory.ts'
import { writeFileAtomically } from './pkiFiles.ts'

/**
 * Copies the federation's current CRL to `out` after checking it is signed by the CA and
 * current, e.g. for the service provider's host when the CA lives elsewhere.
 *
 * @param p - `dir`: the PKI directory; `out`: the file to write (replaced if present).
 * @returns the serials (uppercase hex) the CRL revokes.
 */
export async function exportCrl(p: {
  readonly dir: string
  readonly out: string
}): Promise<readonly string[]> {
  const pki = await readPkiDirectory(p.dir)
  writeFileAtomically(p.out, pki.crlPem)
  return [...pki.revokedSerials]
}
