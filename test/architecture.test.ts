import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { it } from 'node:test'

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : []
  })
}

// The core must stay pure so the same protocol code runs in simulation and across
// processes: no I/O, no clock, no ambient randomness, no imports of outer layers.
it('src/core imports no Node built-ins or outer layers and uses no clock or ambient randomness', () => {
  const forbidden: [RegExp, string][] = [
    [/from ['"](node:|fs|path|os|crypto|child_process|net|http)/, 'Node built-in import'],
    [/from ['"][./]*(adapters|runtime|cli)\//, 'import of an outer layer'],
    [/\bMath\.random\b/, 'Math.random'],
    [/\bDate\.now\b|\bnew Date\b/, 'the clock'],
    [/\bprocess\./, 'process'],
    [/\bconsole\./, 'console'],
    [/\bsetTimeout\b|\bsetInterval\b/, 'timers'],
  ]
  const problems: string[] = []
  for (const file of files('src/core')) {
    const text = readFileSync(file, 'utf8')
    for (const [pattern, what] of forbidden)
      if (pattern.test(text)) problems.push(`${file}: ${what}`)
  }
  assert.deepEqual(problems, [])
})

it('adapters never import the runtime or the CLI, and the runtime never imports adapters', () => {
  const problems: string[] = []
  for (const file of files('src/adapters'))
    if (/from ['"][./]*(runtime|cli)\//.test(readFileSync(file, 'utf8'))) problems.push(file)
  for (const file of files('src/runtime'))
    if (/from ['"][./]*(adapters|cli)\//.test(readFileSync(file, 'utf8'))) problems.push(file)
  assert.deepEqual(problems, [])
})

// Each adapter has one front door: what other code may use is what its index.ts exports.
it('code outside an adapter imports it only through its index.ts', () => {
  const problems: string[] = []
  for (const file of ['src', 'test', 'bench', 'examples'].flatMap((d) => files(d))) {
    const own = /^src\/adapters\/([\w-]+)\//.exec(file)?.[1]
    const text = readFileSync(file, 'utf8')
    for (const [, adapter, module] of text.matchAll(
      /from '[./]*(?:src\/)?adapters\/([\w-]+)\/([\w.]+)\.ts'/g,
    ))
      if (adapter !== own && module !== 'index')
        problems.push(`${file}: adapters/${adapter}/${module}.ts`)
  }
  assert.deepEqual(problems, [])
})

// A heavy dependency stays behind its port, so the rest of msfl can run without it.
it('heavy third-party packages are imported only inside their adapter', () => {
  const owners: [RegExp, string][] = [
    [/from '(viem|@ethereumjs\/[\w-]+)(\/[^']*)?'/, 'src/adapters/ledger-evm/'],
    [/from 'node-seal(\/[^']*)?'/, 'src/adapters/he-seal/'],
    [/from 'gmp-wasm(\/[^']*)?'/, 'src/adapters/paillier/'],
    [/from '@grpc\/grpc-js(\/[^']*)?'/, 'src/adapters/transport-grpc/'],
    [/from '@peculiar\/x509'|import 'reflect-metadata'/, 'src/adapters/pki/'],
    [/from '(kysely|better-sqlite3|pg)'/, 'src/adapters/store/'],
  ]
  const problems: string[] = []
  for (const file of files('src')) {
    const text = readFileSync(file, 'utf8')
    for (const [pattern, home] of owners)
      if (pattern.test(text) && !file.startsWith(home)) problems.push(`${file}: ${pattern.source}`)
  }
  assert.deepEqual(problems, [])
})

// One round driver: the protocols are strategies on it, never callers of each other.
it('the round driver and the protocols do not import each other or the CLI', () => {
  const protocols = [
    'src/runtime/runFederation.ts',
    'src/runtime/privacy/runProtectedFederation.ts',
    'src/runtime/runMsflProtocol.ts',
  ]
  const problems: string[] = []
  for (const file of [...protocols, ...files('src/runtime/rounds')]) {
    const text = readFileSync(file, 'utf8')
    for (const other of protocols) {
      const name = other.slice(other.lastIndexOf('/') + 1)
      if (other !== file && text.includes(`/${name}'`)) problems.push(`${file} imports ${name}`)
    }
  }
  for (const file of files('src/runtime'))
    if (/from ['"][./]*cli\//.test(readFileSync(file, 'utf8')))
      problems.push(`${file} imports the CLI`)
  assert.deepEqual(problems, [])
})

// Followed through one round, configuration and wiring only flow downwards: a stage or
// helper never reaches back up into the driver that composes it, nor sideways into another.
it('runtime modules import a driver only where that driver is composed', () => {
  const composedBy: Record<string, readonly string[]> = {
    // A simulation and a deployed provider drive the same rounds.
    'runFederation.ts': [
      'src/runtime/runSimulation.ts',
      'src/runtime/deploy/serveFederation.ts',
      // A deployed job with DP alone runs the plain rounds with DP's hooks.
      'src/runtime/deploy/serveProtectedJob.ts',
    ],
    'runProtectedFederation.ts': [
      'src/runtime/runSimulation.ts',
      'src/runtime/deploy/serveProtectedRounds.ts',
    ],
    'runMsflProtocol.ts': ['src/runtime/runMsflSimulation.ts', 'src/runtime/deploy/serveMsfl.ts'],
    'runSimulation.ts': ['src/runtime/runExperimentCell.ts'],
    'runMsflSimulation.ts': [],
    'runExperimentCell.ts': [],
  }
  const problems: string[] = []
  for (const file of files('src/runtime')) {
    const text = readFileSync(file, 'utf8')
    for (const [driver, composers] of Object.entries(composedBy))
      if (new RegExp(`from '[./]*(privacy/)?${driver}'`).test(text) && !composers.includes(file))
        problems.push(`${file} imports ${driver}`)
  }
  assert.deepEqual(problems, [])
})

// Long functions hide stages that deserve a name (issue 12: none above 120 lines in the
// runtime or the CLI). TypeScript 5 (the API docs' compiler) parses the sources.
it('no function in src/runtime or src/cli is longer than 120 lines', async () => {
  const require = createRequire(join(process.cwd(), 'packages/api-docs/package.json'))
  const ts: TypeScriptParser = require('typescript')
  const problems: string[] = []
  for (const file of [...files('src/runtime'), ...files('src/cli')]) {
    const source = ts.createSourceFile(
      file,
      readFileSync(file, 'utf8'),
      ts.ScriptTarget.Latest,
      true,
    )
    const visit = (node: ParsedNode): void => {
      if (ts.isFunctionLike(node) && (node as { body?: unknown }).body !== undefined) {
        const first = source.getLineAndCharacterOfPosition(node.getStart()).line
        const last = source.getLineAndCharacterOfPosition(node.getEnd()).line
        if (last - first + 1 > 120)
          problems.push(`${file}:${first + 1} is ${last - first + 1} lines`)
      }
      ts.forEachChild(node, visit)
    }
    visit(source)
  }
  assert.deepEqual(problems, [])
})

/** The slice of the TypeScript 5 compiler API the function-length check uses. */
interface ParsedNode {
  getStart(): number
  getEnd(): number
}
interface TypeScriptParser {
  readonly ScriptTarget: { readonly Latest: number }
  createSourceFile(
    name: string,
    text: string,
    target: number,
    setParentNodes: boolean,
  ): ParsedNode & { getLineAndCharacterOfPosition(position: number): { line: number } }
  isFunctionLike(node: ParsedNode): boolean
  forEachChild(node: ParsedNode, visit: (child: ParsedNode) => void): void
}
