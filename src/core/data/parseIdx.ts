import { MsflError } from '../errors/msflError.ts'

/** Magic numbers of the IDX format: 0x00 0x00, type 0x08 (unsigned byte), dimension count. */
const IMAGES_MAGIC = 0x00000803
const LABELS_MAGIC = 0x00000801

/** Decoded IDX image file. `pixels` is a view into the input bytes, not a copy. */
export interface IdxImages {
  readonly count: number
  readonly rows: number
  readonly cols: number
  /** count × rows × cols unsigned bytes, image after image, each row by row. */
  readonly pixels: Uint8Array
}

/** Parses a decompressed IDX3 image file (big-endian header, then unsigned bytes). */
export function parseIdxImages(bytes: Uint8Array, source: string): IdxImages {
  const header = readHeader(bytes, source, 16, IMAGES_MAGIC, 'image')
  const count = header.getUint32(4)
  const rows = header.getUint32(8)
  const cols = header.getUint32(12)
  if (rows === 0 || cols === 0) {
    throw new MsflError('DATA_FORMAT', `${source}: IDX image size ${rows}x${cols} is empty`)
  }
  checkLength(bytes, source, 16 + count * rows * cols)
  return { count, rows, cols, pixels: bytes.subarray(16) }
}

/** Parses a decompressed IDX1 label file; returns a view of the label bytes. */
export function parseIdxLabels(bytes: Uint8Array, source: string): Uint8Array {
  const header = readHeader(bytes, source, 8, LABELS_MAGIC, 'label')
  const count = header.getUint32(4)
  checkLength(bytes, source, 8 + count)
  return bytes.subarray(8)
}

/** The `size`-byte header, once its magic number says the file holds `kind`s. */
function readHeader(
  bytes: Uint8Array,
  source: string,
  size: number,
  expectedMagic: number,
  kind: 'image' | 'label',
): DataView {
  if (bytes.length < size) {
    throw new MsflError(
      'DATA_FORMAT',
      `${source}: ${bytes.length} bytes is shorter than the ${size}-byte IDX header`,
    )
  }
  // The input may be a view into a larger buffer (e.g. a Node Buffer), so honour its offset.
  const header = new DataView(bytes.buffer, bytes.byteOffset, size)
  const magic = header.getUint32(0)
  if (magic !== expectedMagic) {
    throw new MsflError(
      'DATA_FORMAT',
      `${source}: not an IDX ${kind} file (magic 0x${hex(magic)}, expected 0x${hex(expectedMagic)})`,
    )
  }
  return header
}

function checkLength(bytes: Uint8Array, source: string, expected: number): void {
  // A truncated download or trailing garbage must not silently shift or drop samples.
  if (bytes.length !== expected) {
    throw new MsflError(
      'DATA_FORMAT',
      `${source}: length ${bytes.length} bytes does not match the ${expected} bytes its IDX header implies`,
    )
  }
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0')
}
