import { after, before } from 'node:test'
import pg from 'pg'
import { openPostgresRunStore } from '../../src/adapters/store/index.ts'
import { runStoreSuite } from './runStoreSuite.ts'
import { startThrowawayPostgres, type ThrowawayPostgres } from './throwawayPostgres.ts'

// A throwaway cluster from the system's binaries (or MSFL_TEST_POSTGRES_URL); every test gets
// a database of its own, created here and dropped with the cluster.
let server: ThrowawayPostgres
let admin: pg.Client
let databases = 0
before(async () => {
  server = await startThrowawayPostgres()
  admin = new pg.Client({ connectionString: server.url })
  await admin.connect()
})
after(async () => {
  await admin?.end()
  server?.stop()
})

runStoreSuite('PostgreSQL', async () => {
  const name = `msfl_store_test_${process.pid}_${databases++}`
  await admin.query(`CREATE DATABASE ${name}`)
  const url = new URL(server.url)
  url.pathname = `/${name}`
  return { open: () => openPostgresRunStore(url.toString(), { maxConnections: 4 }) }
})
