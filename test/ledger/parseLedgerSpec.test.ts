import assert from 'node:assert/strict'
import { it } from 'node:test'
import { parseAddress, parseLedgerSpec, parseRpcUrl } from '../../src/adapters/ledger-evm/index.ts'

it('parses memory, evm and rpc:<url>', () => {
  assert.deepEqual(parseLedgerSpec('memory'), { kind: 'memory' })
  assert.deepEqual(parseLedgerSpec('evm'), { kind: 'evm' })
  assert.deepEqual(parseLedgerSpec('rpc:http://127.0.0.1:8545'), {
    kind: 'rpc',
    url: 'http://127.0.0.1:8545',
  })
})

it('names the field and never echoes a URL, which may carry an API key', () => {
  assert.throws(
    () => parseLedgerSpec('chain'),
    /--ledger must be memory, evm or rpc:<http\(s\) url>/,
  )
  const secret = 'ftp://node.example/v3/SECRETKEY'
  assert.throws(
    () => parseLedgerSpec(`rpc:${secret}`),
    (error: Error) =>
      /--ledger must be an http:\/\/ or https:\/\/ URL/.test(error.message) &&
      !error.message.includes('SECRETKEY'),
  )
  assert.throws(() => parseRpcUrl('not a url', 'ledger.url'), /ledger\.url must be an http/)
})

it('validates addresses, naming the field', () => {
  assert.equal(
    parseAddress('0x5FbDB2315678afecb367f032d93F642f64180aa3', 'contractAddress'),
    '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  )
  assert.throws(
    () => parseAddress('0x1234', 'contractAddress'),
    /contractAddress must be a 0x-prefixed 20-byte address/,
  )
})
