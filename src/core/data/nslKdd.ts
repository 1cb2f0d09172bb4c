import { MsflError } from '../errors/msflError.ts'
import type { DatasetSplit } from './dataset.ts'
import type { ColumnSpec } from './tabularEncoder.ts'
import { encodeTabularSplit } from './tabularSplit.ts'
import { parseTextRecords, type TextRecord } from './textRecords.ts'

const numeric = (name: string): ColumnSpec => ({ name, kind: 'numeric' })
/** Counts and byte totals span several orders of magnitude (src_bytes reaches 3.8e8). */
const logNumeric = (name: string): ColumnSpec => ({ name, kind: 'numeric', log1p: true })
const categorical = (name: string): ColumnSpec => ({ name, kind: 'categorical' })

/** The 41 NSL-KDD feature columns in file order; field 42 is the label, 43 the difficulty. */
export const NSL_KDD_COLUMNS: readonly ColumnSpec[] = [
  logNumeric('duration'),
  categorical('protocol_type'),
  categorical('service'),
  categorical('flag'),
  logNumeric('src_bytes'),
  logNumeric('dst_bytes'),
  numeric('land'),
  logNumeric('wrong_fragment'),
  logNumeric('urgent'),
  logNumeric('hot'),
  logNumeric('num_failed_logins'),
  numeric('logged_in'),
  logNumeric('num_compromised'),
  numeric('root_shell'),
  numeric('su_attempted'),
  logNumeric('num_root'),
  logNumeric('num_file_creations'),
  logNumeric('num_shells'),
  logNumeric('num_access_files'),
  logNumeric('num_outbound_cmds'),
  numeric('is_host_login'),
  numeric('is_guest_login'),
  logNumeric('count'),
  logNumeric('srv_count'),
  numeric('serror_rate'),
  numeric('srv_serror_rate'),
  numeric('rerror_rate'),
  numeric('srv_rerror_rate'),
  numeric('same_srv_rate'),
  numeric('diff_srv_rate'),
  numeric('srv_diff_host_rate'),
  logNumeric('dst_host_count'),
  logNumeric('dst_host_srv_count'),
  numeric('dst_host_same_srv_rate'),
  numeric('dst_host_diff_srv_rate'),
  numeric('dst_host_same_src_port_rate'),
  numeric('dst_host_srv_diff_host_rate'),
  numeric('dst_host_serror_rate'),
  numeric('dst_host_srv_serror_rate'),
  numeric('dst_host_rerror_rate'),
  numeric('dst_host_srv_rerror_rate'),
]

export type NslKddCategory = 'normal' | 'DoS' | 'Probe' | 'R2L' | 'U2R'

/** Class order of the five-class task; index = class id. */
export const NSL_KDD_CATEGORIES: readonly NslKddCategory[] = [
  'normal',
  'DoS',
  'Probe',
  'R2L',
  'U2R',
]

/**
 * Attack type → category, the grouping most NSL-KDD papers use (httptunnel in U2R, worm
 * in DoS). Types that occur only in the test files are included: they are the point of
 * NSL-KDD's unseen-attack evaluation.
 */
const ATTACK_CATEGORIES: ReadonlyMap<string, NslKddCategory> = new Map(
  (
    [
      ['DoS', 'back land neptune pod smurf teardrop apache2 mailbomb processtable udpstorm worm'],
      ['Probe', 'ipsweep nmap portsweep satan mscan saint'],
      [
        'R2L',
        'ftp_write guess_passwd imap multihop phf spy warezclient warezmaster named sendmail ' +
          'snmpgetattack snmpguess xlock xsnoop',
      ],
      ['U2R', 'buffer_overflow loadmodule perl rootkit httptunnel ps sqlattack xterm'],
    ] as const
  ).flatMap(([category, types]) => types.split(' ').map((type) => [type, category] as const)),
)

/** Maps a label field (`normal` or an attack type) to its category. */
export function nslKddCategory(label: string): NslKddCategory | undefined {
  return label === 'normal' ? 'normal' : ATTACK_CATEGORIES.get(label)
}

export interface NslKddOptions {
  /** 'five': normal, DoS, Probe, R2L, U2R; 'binary': normal = 0, attack = 1. */
  readonly labels: 'five' | 'binary'
}

export interface NslKddSources {
  readonly train: string
  readonly test: string
}

/**
 * Preprocesses decompressed NSL-KDD train and test texts: one-hot protocol_type, service
 * and flag with the train vocabulary (unseen test values → all-zero group), log1p on the
 * heavy-tailed counts, standardisation with train statistics (constant columns → 0), and
 * the difficulty column dropped, because it is an annotation, not an observable feature.
 */
export function preprocessNslKdd(
  trainText: string,
  testText: string,
  options: NslKddOptions = { labels: 'five' },
  sources: NslKddSources = {
    train: 'nsl-kdd/KDDTrain+_20Percent.txt',
    test: 'nsl-kdd/KDDTest+.txt',
  },
): DatasetSplit {
  const train = { records: parseNslKddRecords(trainText, sources.train), source: sources.train }
  const test = { records: parseNslKddRecords(testText, sources.test), source: sources.test }
  return encodeTabularSplit(
    {
      name: 'nsl-kdd',
      columns: NSL_KDD_COLUMNS,
      classNames: options.labels === 'binary' ? ['normal', 'attack'] : NSL_KDD_CATEGORIES,
      labels: (records, source) => nslKddLabels(records, source, options.labels),
      describe: (d) =>
        `NSL-KDD (train ${sources.train}, test ${sources.test}): ${d} features (protocol/service/flag ` +
        'one-hot with train vocabulary, log1p on heavy-tailed counts, standardised with train ' +
        `stats, difficulty dropped); ${options.labels === 'binary' ? 'binary normal vs attack' : 'five classes: normal, DoS, Probe, R2L, U2R'}`,
    },
    train,
    test,
  )
}

/** Parses NSL-KDD text into records of 43 fields (41 features, label, difficulty). */
export function parseNslKddRecords(text: string, source: string): TextRecord[] {
  return parseTextRecords(text, source, { fieldCount: NSL_KDD_COLUMNS.length + 2 })
}

function nslKddLabels(
  records: readonly TextRecord[],
  source: string,
  labels: NslKddOptions['labels'],
): Float64Array {
  const y = new Float64Array(records.length)
  records.forEach((record, i) => {
    const label = record.fields[NSL_KDD_COLUMNS.length]!
    const category = nslKddCategory(label)
    if (category === undefined) {
      throw new MsflError(
        'DATA_FORMAT',
        `${source}: line ${record.line}: unknown attack type '${label}' (not in the NSL-KDD category mapping)`,
      )
    }
    y[i] =
      labels === 'binary' ? Number(category !== 'normal') : NSL_KDD_CATEGORIES.indexOf(category)
  })
  return y
}
