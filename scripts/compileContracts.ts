// `npm run build:contract`: compiles the Solidity sources with the pinned solc-js (the
// compiler ships inside the npm package, so this works offline) and writes the committed
// artefacts. test/ledger/contractArtifacts.test.ts recompiles and compares byte for byte.
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

const require = createRequire(import.meta.url)
const solc = require('solc') as { version(): string; compile(input: string): string }

export interface ContractArtifact {
  readonly contractName: string
  readonly sourcePath: string
  readonly sourceSha256: string
  readonly compiler: { readonly name: 'solc-js'; readonly version: string }
  readonly settings: typeof settings
  readonly abi: readonly unknown[]
  readonly bytecode: `0x${string}`
  readonly deployedBytecode: `0x${string}`
}

/** Shanghai: the EVM version the issue pins; every later hardfork runs it unchanged. */
const settings = {
  evmVersion: 'shanghai',
  viaIR: true,
  optimizer: { enabled: true, runs: 100000 },
  metadata: { bytecodeHash: 'ipfs' },
} as const

/** Which contracts go to which artefact file (paths from the repository root). */
export const artifactTargets = [
  {
    sourcePath: 'contracts/MsflSettlement.sol',
    contracts: ['MsflSettlement'],
    output: 'src/adapters/ledger-evm/msflSettlement.artifact.json',
  },
  {
    sourcePath: 'contracts/test/TestReceivers.sol',
    contracts: ['RevertingReceiver', 'ReentrantReceiver'],
    output: 'test/ledger/fixtures/testReceivers.artifact.json',
  },
] as const

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[]
  contracts: Record<
    string,
    Record<
      string,
      {
        abi: unknown[]
        evm: { bytecode: { object: string }; deployedBytecode: { object: string } }
      }
    >
  >
}

/** Compiles one source file; throws on any compiler error or warning. */
export function compileSource(sourcePath: string, names: readonly string[]): ContractArtifact[] {
  const source = readFileSync(sourcePath, 'utf8')
  const input = {
    language: 'Solidity',
    sources: { [sourcePath]: { content: source } },
    settings: {
      ...settings,
      outputSelection: {
        '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] },
      },
    },
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput
  const problems = output.errors ?? []
  if (problems.length > 0)
    throw new Error(
      `solc ${solc.version()} on ${sourcePath}:\n${problems.map((e) => e.formattedMessage).join('\n')}`,
    )
  const sourceSha256 = createHash('sha256').update(source).digest('hex')
  return names.map((contractName) => {
    const compiled = output.contracts[sourcePath]?.[contractName]
    if (!compiled) throw new Error(`solc produced no contract ${contractName} in ${sourcePath}`)
    return {
      contractName,
      sourcePath,
      sourceSha256,
      compiler: { name: 'solc-js', version: solc.version() },
      settings,
      abi: compiled.abi,
      bytecode: `0x${compiled.evm.bytecode.object}`,
      deployedBytecode: `0x${compiled.evm.deployedBytecode.object}`,
    }
  })
}

/** The text of an artefact file: one contract as an object, several as an array. */
export function artifactText(artifacts: readonly ContractArtifact[]): string {
  return `${JSON.stringify(artifacts.length === 1 ? artifacts[0] : artifacts, null, 2)}\n`
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const target of artifactTargets) {
    writeFileSync(target.output, artifactText(compileSource(target.sourcePath, target.contracts)))
    process.stderr.write(`wrote ${target.output}\n`)
  }
}
