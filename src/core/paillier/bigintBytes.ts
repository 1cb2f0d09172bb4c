const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'))

/** Big-endian, exactly `width` bytes; throws if the value does not fit (a caller bug). */
export function bigintToBytes(value: bigint, width: number, out = new Uint8Array(width), at = 0) {
  if (value < 0n) throw new RangeError('bigintToBytes: negative value')
  const hex = value.toString(16)
  if (hex.length > width * 2) throw new RangeError(`bigintToBytes: value exceeds ${width} bytes`)
  const padded = hex.padStart(width * 2, '0')
  for (let i = 0; i < width; i++) out[at + i] = Number.parseInt(padded.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** Big-endian unsigned. */
export function bytesToBigint(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n
  let hex = '0x'
  for (const b of bytes) hex += HEX[b]
  return BigInt(hex)
}
