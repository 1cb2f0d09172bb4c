import { MsflError } from '../errors/msflError.ts'
import type { DatasetSplit } from './dataset.ts'
import type { ColumnSpec } from './tabularEncoder.ts'
import { TABULAR_SCHEMA_FORMAT, type TabularSchema } from './tabularSchema.ts'
import { encodeTabularSplit } from './tabularSplit.ts'
import { parseTextRecords, type TextRecord } from './textRecords.ts'

const flag = (name: string, max = 1): ColumnSpec => ({ name, kind: 'numeric', range: [0, max] })
const rate = (name: string): ColumnSpec => ({ name, kind: 'numeric', range: [0, 1] })
/**
 * Counts and byte totals span several orders of magnitude (src_bytes reaches 3.8e8), so
 * they are log1p-scaled; `max` is the declared bound in the field's own unit.
 */
const logNumeric = (name: string, max: number): ColumnSpec => ({
  name,
  kind: 'numeric',
  log1p: true,
  range: [0, Math.log1p(max)],
})
const categorical = (name: string, values: string): ColumnSpec => ({
  name,
  kind: 'categorical',
  categories: values.split(' '),
})

/** The 70 network services of the KDD Cup 99 feature extractor (NSL-KDD inherits them). */
const KDD_SERVICES =
  'aol auth bgp courier csnet_ns ctf daytime discard domain domain_u echo eco_i ecr_i efs exec ' +
  'finger ftp ftp_data gopher harvest hostnames http http_2784 http_443 http_8001 imap4 IRC ' +
  'iso_tsap klogin kshell ldap link login mtp name netbios_dgm netbios_ns netbios_ssn netstat ' +
  'nnsp nntp ntp_u other pm_dump pop_2 pop_3 printer private red_i remote_job rje shell smtp ' +
  'sql_net ssh sunrpc supdup systat telnet tftp_u tim_i time urh_i urp_i uucp uucp_path vmnet ' +
  'whois X11 Z39_50'

/**
 * The 41 NSL-KDD feature columns in file order; field 42 is the label, 43 the difficulty.
 * Everything is declared from the KDD Cup 99 feature definitions, never from the rows:
 * the protocols, services and connection flags the extractor emits; rates in [0, 1];
 * count and srv_count over a 2-second window capped at 511, the dst_host counts over
 * the last 255 connections; byte counts within a 32-bit counter; durations within a day;
 * the per-connection event counts within generous bounds (values above are clamped).
 */
export const NSL_KDD_COLUMNS: readonly ColumnSpec[] = [
  logNumeric('duration', 86_400),
  categorical('protocol_type', 'tcp udp icmp'),
  categorical('service', KDD_SERVICES),
  categorical('flag', 'SF S0 S1 S2 S3 REJ RSTO RSTR RSTOS0 SH OTH'),
  logNumeric('src_bytes', 2 ** 32),
  logNumeric('dst_bytes', 2 ** 32),
  flag('land'),
  logNumeric('wrong_fragment', 10),
  logNumeric('urgent', 10),
  logNumeric('hot', 1000),
  logNumeric('num_failed_logins', 10),
  flag('logged_in'),
  logNumeric('num_compromised', 1000),
  flag('root_shell'),
  flag('su_attempted', 2),
  logNumeric('num_root', 1000),
  logNumeric('num_file_creations', 100),
  logNumeric('num_shells', 10),
  logNumeric('num_access_files', 10),
  logNumeric('num_outbound_cmds', 10),
  flag('is_host_login'),
  flag('is_guest_login'),
  logNumeric('count', 511),
  logNumeric('srv_count', 511),
  rate('serror_rate'),
  rate('srv_serror_rate'),
  rate('rerror_rate'),
  rate('srv_rerror_rate'),
  rate('same_srv_rate'),
  rate('diff_srv_rate'),
  rate('srv_diff_host_rate'),
  logNumeric('dst_host_count', 255),
  logNumeric('dst_host_srv_count', 255),
  rate('dst_host_same_srv_rate'),
  rate('dst_host_diff_srv_rate'),
  rate('dst_host_same_src_port_rate'),
  rate('dst_host_srv_diff_host_rate'),
  rate('dst_host_serror_rate'),
  rate('dst_host_srv_serror_rate'),
  rate('dst_host_rerror_rate'),
  rate('dst_host_srv_rerror_rate'),
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

/**
 * The schema an NSL-KDD data owner's CSV is checked against: the 41 declared feature
 * columns, then the label column `attack` holding `normal`, an attack type (mapped to its
 * category, or to `attack` for the binary task) or a class name itself. The difficulty
 * annotation is not part of it.
 */
export function nslKddSchema(labels: NslKddOptions['labels']): TabularSchema {
  const classes = labels === 'binary' ? ['normal', 'attack'] : NSL_KDD_CATEGORIES
  const aliases = Object.fromEntries(
    [...ATTACK_CATEGORIES].map(([type, category]) => [
      type,
      labels === 'binary' ? 'attack' : category,
    ]),
  )
  return {
    format: TABULAR_SCHEMA_FORMAT,
    name: 'nsl-kdd',
    columns: NSL_KDD_COLUMNS,
    label: { name: 'attack', classes, aliases },
  }
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
 * Encodes decompressed NSL-KDD train and test texts with the declared schema: one-hot
 * protocol_type, service and flag (other values → the "(unlisted)" bucket), log1p on the
 * heavy-tailed counts, every numeric clamped to its range and left for the job to
 * standardise with the owners' agreed statistics (`scaling`), and the difficulty column
 * dropped, because it is an annotation, not an observable feature.
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
        'one-hot with the KDD Cup 99 values, log1p on heavy-tailed counts, standardised with ' +
        `statistics the owners agree on, difficulty dropped); ${options.labels === 'binary' ? 'binary normal vs attack' : 'five classes: normal, DoS, Probe, R2L, U2R'}`,
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
