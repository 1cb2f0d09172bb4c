import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { it } from 'node:test'
import { demoConfig } from '../../src/cli/commands/demo.ts'
import { parseSimulationConfig } from '../../src/cli/parseSimulationConfig.ts'

it('every example config validates', () => {
  const files = readdirSync('examples').filter((f) => /\.(ya?ml|json)$/.test(f))
  assert.ok(files.length >= 3)
  for (const file of files) {
    const config = parseSimulationConfig({ config: join('examples', file) })
    assert.ok(config.rounds >= 1, file)
  }
})

it('examples/msfl-adult.yaml is exactly the demo', () => {
  const fromFile = parseSimulationConfig({ config: 'examples/msfl-adult.yaml' })
  assert.deepEqual(fromFile, parseSimulationConfig({}, demoConfig))
})
