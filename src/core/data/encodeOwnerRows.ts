import { MsflError } from '../errors/msflError.ts'
import type { OwnerRows } from './checkOwnerRows.ts'
import type { Dataset } from './dataset.ts'
import { createTabularEncoder } from './tabularEncoder.ts'
import { labelClassIndex } from './tabularSchema.ts'

/**
 * Encodes an owner's checked rows with the job's schema: the same tabular encoder the
 * in-process datasets use, so the same row gives the same features in a deployment as in a
 * simulation (test/data/ownerData.test.ts checks it byte for byte). Numeric features stay
 * on their own scale; the job standardises them with the scaling its owners agree on, whose
 * plan is `createTabularEncoder(schema.columns).scaling`.
 */
export function encodeOwnerRows(rows: OwnerRows): Dataset {
  const { schema, records, source } = rows
  const encoder = createTabularEncoder(schema.columns)
  const classes = labelClassIndex(schema.label)
  const labelField = schema.columns.length
  const y = new Float64Array(records.length)
  records.forEach((record, i) => {
    const label = classes.get(record.fields[labelField] ?? '')
    // Checked rows always carry a known label; rows built by other code may not.
    if (label === undefined)
      throw new MsflError(
        'DATA_FORMAT',
        `${source}: line ${record.line}: label '${record.fields[labelField]}' is not a class of the schema`,
      )
    y[i] = label
  })
  return {
    name: schema.name,
    x: encoder.encode(records, source),
    y,
    n: records.length,
    d: encoder.d,
    numClasses: schema.label.classes.length,
    classNames: schema.label.classes,
    featureNames: encoder.featureNames,
  }
}
