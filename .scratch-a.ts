import SEAL from 'node-seal'
let mem: WebAssembly.Memory | undefined
const orig = WebAssembly.instantiate
;(WebAssembly as any).instantiate = async (...args: any[]) => {
  const r: any = await (orig as any)(...args)
  const inst = r.instance ?? r
  for (const v of Object.values(inst.exports)) if (v instanceof WebAssembly.Memory) mem = v
  return r
}
const t0 = performance.now()
const seal = await SEAL()
;(WebAssembly as any).instantiate = orig
console.log('load ms', performance.now() - t0, 'mem', mem?.buffer.byteLength, seal.Version)
for (const [N, bits] of [[8192, [60, 40, 40, 60]], [16384, [60, 40, 40, 40, 40, 40, 60]]] as const) {
  const parms = seal.EncryptionParameters(seal.SchemeType.ckks)
  parms.setPolyModulusDegree(N)
  parms.setCoeffModulus(seal.CoeffModulus.Create(N, Int32Array.from(bits)))
  const ctx = seal.Context(parms, true, seal.SecurityLevel.tc128)
  console.log(N, ctx.parametersSet(), seal.CoeffModulus.MaxBitCount(N, seal.SecurityLevel.tc128))
  console.log(parms.coeffModulus, ctx.firstContextData.chainIndex, ctx.keyContextData.chainIndex, ctx.lastContextData.chainIndex)
  const kg = seal.KeyGenerator(ctx)
  let t = performance.now()
  const pk = kg.createPublicKey()
  const rk = kg.createRelinKeys()
  const rkS = kg.createRelinKeysSerializable()
  const sk = kg.secretKey()
  const steps = N === 16384 ? [256, 512, 1024, 2048, 4096, 1, 2, 4, 8, 16, 32, 64, 128] : [1]
  const gk = kg.createGaloisKeys(Int32Array.from(steps))
  const gkS = kg.createGaloisKeysSerializable(Int32Array.from(steps))
  console.log('keygen ms', performance.now() - t)
  for (const mode of ['none', 'zlib', 'zstd'] as const) {
    const m = seal.ComprModeType[mode]
    console.log(mode, 'pk', pk.saveArray(m).length, 'rk', rk.saveArray(m).length, 'rkS', rkS.saveArray(m).length, 'gk', gk.saveArray(m).length, 'gkS', gkS.saveArray(m).length, 'sk', sk.saveArray(m).length)
  }
  const enc = seal.CKKSEncoder(ctx)
  console.log('slots', enc.slotCount)
  const encr = seal.Encryptor(ctx, pk)
  const ev = seal.Evaluator(ctx)
  const pt = enc.encode(Float64Array.from({ length: enc.slotCount }, (_, i) => i / 1000), 2 ** 40) as any
  const ct = encr.encrypt(pt) as any
  console.log('ct size', ct.size, ct.scale, ct.coeffModulusSize, ct.isNttForm, ct.parmsId.values)
  for (const mode of ['none', 'zlib', 'zstd'] as const) console.log('ct', mode, ct.saveArray(seal.ComprModeType[mode]).length)
  ev.cipherModSwitchTo(ct, ctx.lastParmsId, ct)
  for (const mode of ['none', 'zlib', 'zstd'] as const) console.log('ct last', mode, ct.saveArray(seal.ComprModeType[mode]).length)
  const h = ct.saveArray(seal.ComprModeType.none).slice(0, 16)
  console.log('hdr', Buffer.from(h).toString('hex'))
  console.log('mem', mem?.buffer.byteLength)
  const zero = enc.encode(new Float64Array(enc.slotCount), 2 ** 40) as any
  console.log('zero isZero', zero.isZero)
  const ct2 = encr.encrypt(pt) as any
  try { ev.multiplyPlain(ct2, zero, ct2); console.log('no throw') } catch (e) { console.log('throw', String(e)) }
}
