// Conversions per second against one emulator process: this package's Client (concurrency
// 1 and 32) next to a hand-written undici client doing the same encoding (plain-JS encoder,
// Basic auth, form POST, a retry on 5xx).
import { performance } from 'node:perf_hooks'
import { Agent, request } from 'undici'
import { encodeByHand } from './handwritten.mjs'
import { startSandbox, ACCOUNT_SID, AUTH_TOKEN } from '../../bindings-node/test/helpers/sandbox.mjs'

const N = Number(process.env.BENCH_CONVERSIONS ?? 2000)

async function pool(n, concurrency, fn) {
  let next = 0
  const worker = async () => {
    while (next < n) await fn(next++)
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

function handClient(base, connections) {
  const dispatcher = new Agent({ connections, keepAliveTimeout: 10_000 })
  const auth = 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')
  const url = `${base}/Advertisers/${ACCOUNT_SID}/Conversions`
  return {
    async submit(c) {
      const body = encodeByHand(c)
      for (let attempt = 1; ; attempt++) {
        const res = await request(url, {
          method: 'POST',
          dispatcher,
          headers: { authorization: auth, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
          body,
        })
        const text = await res.body.text()
        if (res.statusCode < 300) return JSON.parse(text)
        if (res.statusCode < 500 || attempt >= 3) throw new Error(`HTTP ${res.statusCode}`)
      }
    },
    close: () => dispatcher.close(),
  }
}

export async function run({ impact, seed }) {
  const sb = await startSandbox()
  await sb.config({ hourly_budget: 100_000_000 }) // measure throughput, not the rate limit
  try {
    let seq = 0
    const conv = () => ({ ...seed(), orderId: `BENCH-${process.pid}-${++seq}` })
    const client = new impact.Client({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl: sb.url })
    const rows = []
    for (const concurrency of [1, 32]) {
      const n = concurrency === 1 ? Math.min(N, 500) : N
      const hand = handClient(sb.url, concurrency)
      await pool(50, concurrency, () => client.submit(conv())) // warm up both
      await pool(50, concurrency, () => hand.submit(conv()))
      await sb.reset()
      let t = performance.now()
      await pool(n, concurrency, () => client.submit(conv()))
      const pkg = (n * 1000) / (performance.now() - t)
      await sb.reset()
      t = performance.now()
      await pool(n, concurrency, () => hand.submit(conv()))
      const byHand = (n * 1000) / (performance.now() - t)
      await hand.close()
      rows.push({ concurrency, n, pkg, byHand })
    }
    console.log('\nconversions per second against the emulator (higher is better)')
    for (const r of rows) {
      console.log(
        `  concurrency ${String(r.concurrency).padStart(2)} (${r.n}): package ${r.pkg.toFixed(0)}/s  hand-written undici ${r.byHand.toFixed(0)}/s  ratio ${(r.pkg / r.byHand).toFixed(2)}x`,
      )
    }
  } finally {
    await sb.stop()
  }
}
