/**
 * Bit-level slot access on a plaintext held as 32-bit words, least significant word
 * first. Packing builds the words and converts once (one hex string, one BigInt),
 * because growing a BigInt slot by slot with shifts costs quadratic time per plaintext.
 */
export function writeSlot(words: Uint32Array, bitOffset: number, value: number, width: number) {
  let rest = value
  forEachWordPiece(bitOffset, width, (word, shift, take) => {
    const unit = 2 ** take
    const low = rest % unit
    words[word] = (words[word]! | (low * 2 ** shift)) >>> 0
    rest = (rest - low) / unit
  })
}

/** Reads `width` ≤ 53 bits starting at `bitOffset` as a non-negative integer. */
export function readSlot(words: Uint32Array, bitOffset: number, width: number): number {
  let value = 0
  let scale = 1
  forEachWordPiece(bitOffset, width, (word, shift, take) => {
    const unit = 2 ** take
    value += (Math.floor(words[word]! / 2 ** shift) % unit) * scale
    scale *= unit
  })
  return value
}

/**
 * Splits the bit range [bitOffset, bitOffset + width) at word boundaries, low bits
 * first: each piece is `take` bits starting at bit `shift` of words[word].
 */
function forEachWordPiece(
  bitOffset: number,
  width: number,
  visit: (word: number, shift: number, take: number) => void,
): void {
  let position = bitOffset
  let remaining = width
  while (remaining > 0) {
    const shift = position & 31
    const take = Math.min(32 - shift, remaining)
    visit(position >>> 5, shift, take)
    position += take
    remaining -= take
  }
}

export function wordsToBigint(words: Uint32Array): bigint {
  let hex = '0x'
  for (let i = words.length - 1; i >= 0; i--) hex += words[i]!.toString(16).padStart(8, '0')
  return BigInt(hex)
}

/** The low `count` words of a non-negative `value` (higher bits are the caller's to check). */
export function bigintToWords(value: bigint, count: number): Uint32Array {
  const hex = BigInt.asUintN(count * 32, value)
    .toString(16)
    .padStart(count * 8, '0')
  const words = new Uint32Array(count)
  for (let i = 0; i < count; i++) {
    const end = hex.length - i * 8
    words[i] = Number.parseInt(hex.slice(end - 8, end), 16)
  }
  return words
}
