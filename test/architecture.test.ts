import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
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
