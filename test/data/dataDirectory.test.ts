import assert from 'node:assert/strict'
import { realpathSync } from 'node:fs'
import { afterEach, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { resolveDataDir } from '../../src/adapters/data/index.ts'

const PACKAGE_DIR = realpathSync(fileURLToPath(new URL('../../packages/datasets', import.meta.url)))

// A folder missing @msfl/datasets is checked in test/package (an installed msfl without it).
describe('resolveDataDir', () => {
  const saved = process.env['MSFL_DATA_DIR']
  afterEach(() => {
    if (saved === undefined) delete process.env['MSFL_DATA_DIR']
    else process.env['MSFL_DATA_DIR'] = saved
  })

  it('uses the @msfl/datasets workspace package when nothing else is given', () => {
    delete process.env['MSFL_DATA_DIR']
    assert.equal(resolveDataDir(), PACKAGE_DIR)
    process.env['MSFL_DATA_DIR'] = ''
    assert.equal(resolveDataDir(), PACKAGE_DIR)
  })

  it('MSFL_DATA_DIR wins over the package, and the dataDir option over both', () => {
    process.env['MSFL_DATA_DIR'] = '/srv/from-env'
    assert.equal(resolveDataDir(), '/srv/from-env')
    assert.equal(resolveDataDir('/srv/explicit'), '/srv/explicit')
    assert.equal(resolveDataDir(''), '/srv/from-env')
  })
})
