import { isIP } from 'node:net'
import { z } from 'zod'

const DNS_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/

/**
 * A host the service provider is reached at, as it goes into its certificate's SAN: a DNS
 * name (lowercase) or an IPv4/IPv6 address. Clients check the endpoint host against it.
 */
export const hostSchema = z
  .string()
  .refine(
    (host) => isIP(host) !== 0 || DNS_NAME.test(host),
    'must be a lowercase DNS name or an IP address',
  )

/**
 * Where participants reach the service provider: `host:port` (an IPv6 address in brackets,
 * `[::1]:7443`). The host must be one of the service provider's certificate hosts for the
 * TLS name check to pass.
 */
export const endpointSchema = z.string().refine((endpoint) => {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(endpoint)
  if (!match) return false
  const host = match[1] ?? match[2]!
  const port = Number(match[3])
  const hostOk = match[1] !== undefined ? isIP(host) === 6 : hostSchema.safeParse(host).success
  return hostOk && port >= 1 && port <= 65_535
}, 'must be host:port (a DNS name or IP address, port 1–65535; IPv6 as [addr]:port)')

/**
 * The job a kit is for: what the participant will be asked to run (a config file name, a
 * run id…). Printable, no spaces, at most 200 characters.
 */
export const jobReferenceSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:/@+=-]{1,200}$/, 'must be 1–200 letters, digits or ._:/@+=- characters')
