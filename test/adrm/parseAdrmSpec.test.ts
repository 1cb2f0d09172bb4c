import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEFAULT_ADRM } from '../../src/core/adrm/createAdrm.ts'
import { ADRM_OPTIONS, parseAdrmSpec } from '../../src/core/adrm/parseAdrmSpec.ts'
import { MsflError } from '../../src/core/errors/msflError.ts'

const configError = (pattern: RegExp) => (e: unknown) =>
  e instanceof MsflError && e.code === 'CONFIG_INVALID' && pattern.test(e.message)

describe('parseAdrmSpec', () => {
  it('gives the documented defaults for a bare `adrm`', () => {
    assert.deepEqual(parseAdrmSpec('adrm'), DEFAULT_ADRM)
  })
  it('reads every kind of option', () => {
    const config = parseAdrmSpec(
      'adrm:z=2.5,iforest=off,space=affine,penalty=30,block=0,block-ms=120000,rollback=3,flag=high,block-on-high=false',
    )
    assert.equal(config.detection.zThreshold, 2.5)
    assert.equal(config.detection.space, 'affine')
    assert.equal(config.detection.flagAt, 'high')
    assert.equal(config.anomaly, undefined)
    assert.equal(config.reputation.penalties.high, 30)
    assert.equal(config.reputation.blockOnHigh, false)
    assert.deepEqual([config.reputation.blockRounds, config.reputation.blockMs], [0, 120_000])
    assert.equal(config.models.margin, 0.03)
  })
  it('names the option at fault', () => {
    assert.throws(() => parseAdrmSpec('adrm:zz=3'), configError(/unknown option 'zz'/))
    assert.throws(
      () => parseAdrmSpec('adrm:z=0'),
      configError(/option 'z' must be a number in 0.5..100, got 0/),
    )
    assert.throws(
      () => parseAdrmSpec('adrm:trees=1.5'),
      configError(/option 'trees' must be an integer/),
    )
    assert.throws(
      () => parseAdrmSpec('adrm:iforest=maybe'),
      configError(/option 'iforest' must be one of on, off/),
    )
    assert.throws(
      () => parseAdrmSpec('adrm:block=0'),
      configError(/option 'block' and option 'block-ms' are both 0/),
    )
    assert.throws(
      () => parseAdrmSpec('adrm:min-samples=600'),
      configError(/option 'min-samples' \(600\) exceeds option 'buffer' \(500\)/),
    )
    assert.throws(() => parseAdrmSpec('krum:f=2'), configError(/unknown defence 'krum'/))
  })
  it('describes every option', () => {
    for (const [name, option] of Object.entries(ADRM_OPTIONS))
      assert.ok(option.description.length > 10, name)
  })
})
