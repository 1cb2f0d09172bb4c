import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { it } from 'node:test'
import { artifactTargets, artifactText, compileSource } from '../../scripts/compileContracts.ts'
import { settlementArtifact } from '../../src/adapters/ledger-evm/index.ts'

const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as {
  devDependencies: Record<string, string>
}

// The committed artefacts are what runs: they must be exactly what the pinned compiler
// makes of the committed sources, or a reviewer of the .sol file reviews something else.
it('the committed artefacts are byte for byte what pinned solc-js compiles from the sources', () => {
  for (const target of artifactTargets) {
    const artifacts = compileSource(target.sourcePath, target.contracts)
    assert.equal(readFileSync(target.output, 'utf8'), artifactText(artifacts), target.output)
    for (const artifact of artifacts) {
      assert.equal(artifact.compiler.version.split('+')[0], packageJson.devDependencies['solc'])
      assert.equal(artifact.settings.evmVersion, 'shanghai')
      assert.equal(
        artifact.sourceSha256,
        createHash('sha256').update(readFileSync(target.sourcePath)).digest('hex'),
      )
      assert.match(artifact.deployedBytecode, /^0x[0-9a-f]+$/)
    }
  }
})

it('the settlement contract stays under the 24,576-byte code size limit (EIP-170)', () => {
  assert.ok((settlementArtifact.deployedBytecode.length - 2) / 2 < 24_576)
})
