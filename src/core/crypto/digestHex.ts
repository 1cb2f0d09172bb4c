/** A digest as 0x-prefixed lowercase hex, the form events, summaries and the chain tools show. */
export function digestHex(bytes: Uint8Array): string {
  let hex = '0x'
  for (const b of bytes) hex += b.toString(16).padStart(2, '0')
  return hex
}
