// `make bench-node`: in one run, against one emulator process,
//   1. validate + encode: this package vs a plain-JS encoder with the same checks;
//   2. conversions per second: this package (concurrency 1 and 32) vs hand-written undici;
//   3. addon size and load time.
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'
import { statSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { encodeByHand } from './handwritten.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const pkgDir = join(here, '../../bindings-node')
const require = createRequire(import.meta.url)

// ---- 3. load time (first, in a clean module cache) -------------------------------------
const t0 = performance.now()
const impact = require(join(pkgDir, 'index.js'))
const loadMs = performance.now() - t0
const addon = readdirSync(pkgDir).find((f) => f.endsWith('.node'))
const addonBytes = addon ? statSync(join(pkgDir, addon)).size : 0

export const seed = () => ({
  campaignId: 1000,
  eventTypeId: 9876,
  eventDate: '2024-08-01T23:55:24-08:00',
  orderId: 'O1234567',
  clickId: 'QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0',
  customerId: 'BCZ2WVSH674563PDPYOTM3AXDQ',
  currencyCode: 'USD',
  orderDiscount: '15.00',
  orderPromoCode: '15BUCKSOFF',
  items: [
    { sku: '1ABC2345', name: 'Product Name 1', category: 'Hardware', quantity: 2, subTotal: '28.00' },
    { sku: '9ZXY7654', name: 'Product Name 2', category: 'Gardening', quantity: 3, subTotal: '99.00' },
  ],
})

function timePerOp(fn, minMs = 1500) {
  for (let i = 0; i < 2000; i++) fn(i) // warm up
  let n = 0
  const start = performance.now()
  let now = start
  while (now - start < minMs) {
    for (let i = 0; i < 1000; i++) fn(n++)
    now = performance.now()
  }
  return ((now - start) * 1000) / n // µs per op
}

function encodeBench() {
  const c = seed()
  const ours = impact.encode(c)
  const byHand = encodeByHand(c)
  if (ours !== byHand) throw new Error(`the encoders disagree:\n${ours}\n${byHand}`)
  const big = { ...c, items: Array.from({ length: 100 }, (_, i) => ({ sku: `SKU${i}`, name: `Item ${i}`, quantity: 1 + (i % 3), subTotal: `${i + 1}.99` })) }
  if (impact.encode(big) !== encodeByHand(big)) throw new Error('the encoders disagree on 100 items')
  const rows = []
  for (const [name, conv] of [['seed (2 items)', c], ['100 items', big]]) {
    const pkg = timePerOp(() => {
      impact.validate(conv)
      impact.encode(conv)
    })
    const pkgEncodeOnly = timePerOp(() => impact.encode(conv))
    const hand = timePerOp(() => encodeByHand(conv))
    rows.push({ name, pkg, pkgEncodeOnly, hand })
  }
  return rows
}

const fmt = (x, d = 2) => x.toFixed(d)

async function main() {
  console.log(`impact-conversions ${impact.coreVersion()} on Node ${process.version}`)
  console.log(`addon: ${addon} ${(addonBytes / 1024 / 1024).toFixed(2)} MiB; require() of the package: ${fmt(loadMs, 1)} ms`)
  console.log('\nvalidate + encode (µs per conversion; lower is better)')
  for (const r of encodeBench()) {
    console.log(
      `  ${r.name.padEnd(16)} package validate+encode ${fmt(r.pkg)}  package encode ${fmt(r.pkgEncodeOnly)}  plain JS ${fmt(r.hand)}  ratio(encode) ${fmt(r.pkgEncodeOnly / r.hand)}x`,
    )
  }
  const net = await import('./network.mjs').catch((e) => ({ skipped: e }))
  if (net.run) await net.run({ impact, seed })
  else console.log(`\nnetwork benchmark skipped: ${net.skipped?.message ?? net.skipped}`)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
