// The client against the emulator started as a process: success, scripted faults, rate
// limiting, the deadline, 1,000 concurrent submits (event-loop delay reported), secrets.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import * as impact from '../index.mjs'
import { startSandbox, ACCOUNT_SID, AUTH_TOKEN } from './helpers/sandbox.mjs'

const available = impact.default._clientAvailable()
const skip = available ? false : 'the core client is not built into this addon yet'

let sb
let orderSeq = 0
const conversion = (over = {}) => ({
  campaignId: 1000,
  eventTypeId: 9876,
  eventDate: new Date('2024-08-01T23:55:24Z'),
  orderId: `NODE-${process.pid}-${++orderSeq}`,
  clickId: 'QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0',
  currencyCode: 'USD',
  items: [{ sku: 'A1', quantity: 2, subTotal: 28 }],
  ...over,
})

const fast = { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 50, deadlineMs: 10_000, attemptTimeoutMs: 2_000 }
const newClient = (extra = {}) =>
  new impact.Client({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl: sb.url, ...fast, ...extra })

before(async () => {
  if (!skip) sb = await startSandbox()
})
after(async () => {
  await sb?.stop()
})
beforeEach(async () => {
  if (!skip) await sb.reset()
})

test('submit: success resolves with the receipt and the emulator holds the order', { skip }, async () => {
  const events = []
  const client = newClient({ onEvent: (e) => events.push(e) })
  const c = conversion()
  const receipt = await client.submit(c)
  assert.equal(typeof receipt, 'object')
  const orders = JSON.stringify(await sb.orders())
  assert.ok(orders.includes(c.orderId), 'the emulator recorded the order')
  await new Promise((r) => setImmediate(r))
  assert.ok(events.length >= 2, `events: ${JSON.stringify(events)}`)
})

test('scripted faults are retried and reported as events', { skip }, async () => {
  const events = []
  const client = newClient({ onEvent: (e) => events.push(e) })
  await sb.script([{ status: 503 }, { fault: 'drop' }, { status: 500 }])
  const receipt = await client.submit(conversion())
  assert.ok(receipt)
  await new Promise((r) => setTimeout(r, 20))
  const text = JSON.stringify(events)
  assert.ok(events.length >= 4, text)
  assert.ok(/retry/i.test(text), text)
})

test('retries exhausted: TransportError with attempts and status', { skip }, async () => {
  const client = newClient({ maxAttempts: 3 })
  await sb.script([{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }])
  await assert.rejects(client.submit(conversion()), (err) => {
    assert.ok(err instanceof impact.TransportError, `${err}`)
    assert.ok(err instanceof impact.ImpactError)
    assert.equal(err.code, 'transport')
    assert.equal(err.attempts, 3)
    assert.equal(err.status, 503)
    assert.equal(err.retryable, true)
    return true
  })
})

test('401 is an AuthError, never retried, and the token appears nowhere', { skip }, async () => {
  const events = []
  const client = newClient({ onEvent: (e) => events.push(e) })
  await sb.script([{ status: 401 }])
  const err = await client.submit(conversion()).catch((e) => e)
  assert.ok(err instanceof impact.AuthError, `${err}`)
  assert.equal(err.status, 401)
  for (const shown of [String(err), err.stack, inspect(err, { depth: 10 }), JSON.stringify(events), inspect(client, { depth: 10, showHidden: true }), JSON.stringify(client)]) {
    assert.ok(!shown.includes(AUTH_TOKEN), `the AuthToken leaked: ${shown}`)
  }
  assert.ok(inspect(client).includes(ACCOUNT_SID))
})

test('rate limiting: a short reset is waited out; a reset past the deadline is RateLimitedError', { skip }, async () => {
  const client = newClient()
  await sb.script([{ status: 429, rate_limit_reset: { delta: 1 } }])
  const started = Date.now()
  assert.ok(await client.submit(conversion()))
  assert.ok(Date.now() - started >= 500, 'waited for the reset')

  const short = newClient({ deadlineMs: 1_000 })
  await sb.script([{ status: 429, rate_limit_reset: { delta: 3600 } }])
  await assert.rejects(short.submit(conversion()), (err) => {
    assert.ok(err instanceof impact.RateLimitedError, `${err}`)
    assert.ok(err.resetAt instanceof Date)
    assert.ok(err.resetAt.getTime() > Date.now())
    return true
  })
})

test('the deadline bounds the whole submission: TimeoutError', { skip }, async () => {
  const client = newClient({ maxAttempts: 100, baseDelayMs: 200, maxDelayMs: 200, deadlineMs: 700 })
  await sb.script(Array.from({ length: 50 }, () => ({ status: 503 })))
  const started = Date.now()
  const err = await client.submit(conversion()).catch((e) => e)
  assert.ok(err instanceof impact.ImpactError, `${err}`)
  assert.ok(['timeout', 'transport'].includes(err.code), err.code)
  assert.ok(Date.now() - started < 5_000)
})

test('invalid conversions reject with ValidationError before any request', { skip }, async () => {
  const client = newClient()
  const before = (await sb.requests()).length ?? 0
  await assert.rejects(client.submit(conversion({ amount: 0.1 + 0.2 })), impact.ValidationError)
  assert.equal((await sb.requests()).length ?? 0, before)
})

test('1,000 concurrent submits: all succeed, the event loop stays responsive', { skip }, async (t) => {
  const client = newClient()
  const h = monitorEventLoopDelay({ resolution: 5 })
  h.enable()
  const started = Date.now()
  const receipts = await Promise.all(Array.from({ length: 1000 }, () => client.submit(conversion())))
  const ms = Date.now() - started
  h.disable()
  assert.equal(receipts.length, 1000)
  const p99 = h.percentile(99) / 1e6
  const max = h.max / 1e6
  t.diagnostic(`1000 submits in ${ms} ms; event-loop delay p50 ${(h.percentile(50) / 1e6).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms`)
  console.log(`# event loop during 1000 concurrent submits: p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms (${ms} ms total)`)
  // Generous: a blocked loop would show the whole run (seconds) as one delay.
  assert.ok(max < Math.max(1000, ms / 2), `event loop blocked for ${max} ms`)
})

test('submitMany: results in input order, allSettled-shaped', { skip }, async () => {
  const client = newClient()
  const list = [conversion(), conversion({ orderId: '' }), conversion()]
  const results = await client.submitMany(list, { concurrency: 2 })
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled'])
  assert.ok(results[1].reason instanceof impact.ValidationError)
})

test('configuration errors are ConfigError and never echo the token', { skip }, () => {
  assert.throws(() => new impact.Client({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl: 'ftp://x' }), (err) => {
    assert.ok(err instanceof impact.ConfigError, `${err}`)
    assert.ok(!inspect(err).includes(AUTH_TOKEN))
    return true
  })
})
