// The client against the emulator started as a process: success, every scripted fault class,
// rate limiting, the deadline, submission status, actions, 1,000 concurrent submits (the
// event loop's delay is measured and reported), events, and the AuthToken kept secret.
import { test, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import * as impact from '../index.mjs'
import { startSandbox, ACCOUNT_SID, AUTH_TOKEN } from './helpers/sandbox.mjs'

let sb
let orderSeq = 0
const conversion = (over = {}) => ({
  campaignId: 1000,
  eventTypeId: 9876,
  eventDate: new Date('2024-08-01T23:55:24Z'),
  orderId: `NODE-${process.pid}-${++orderSeq}`,
  clickId: 'QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0',
  currencyCode: 'USD',
  customerEmail: 'Buyer@Example.com',
  items: [{ sku: 'A1', quantity: 2, subTotal: 28 }],
  ...over,
})

const fast = { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 50, deadlineMs: 10_000, attemptTimeoutMs: 1_000 }
const newClient = (extra = {}) =>
  new impact.Client({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrl: sb.url, ...fast, ...extra })
const apiRequests = async () => (await sb.requests()).filter((r) => r.path.includes('/Advertisers/'))

before(async () => {
  sb = await startSandbox()
})
after(async () => {
  await sb?.stop()
})
beforeEach(async () => {
  await sb.reset()
})

test('submit: resolves with the receipt; the emulator holds the order once, email hashed', async () => {
  const c = conversion()
  const receipt = await newClient().submit(c)
  assert.equal(receipt.status, 'QUEUED')
  assert.equal(receipt.attempts, 1)
  assert.match(receipt.queuedUri, new RegExp(`^/Advertisers/${ACCOUNT_SID}/APISubmissions/`))
  assert.ok(receipt.queuedUri.endsWith(receipt.submissionId))
  assert.equal(typeof receipt.elapsedMs, 'number')
  assert.deepEqual(await sb.orders(), { [c.orderId]: 1 })
  const [req] = await apiRequests()
  assert.ok(!req.body.includes('Buyer'), 'the plaintext email never reaches the wire')
  assert.match(req.body, /(^|&)CustomerEmail=[0-9a-f]{64}(&|$)/)
  const ua = req.headers.find(([k]) => k.toLowerCase() === 'user-agent')[1]
  assert.match(ua, /^impact-conversions\/\S+ \(node; rust\)$/)
})

for (const [name, fault] of [
  ['500', { status: 500 }],
  ['503', { status: 503 }],
  ['408', { status: 408 }],
  ['a dropped connection', { fault: 'drop' }],
  ['a truncated body', { fault: 'reset_mid_body' }],
  ['an attempt timeout', { delay_ms: 1_500, status: 200 }],
]) {
  test(`retried: ${name}, twice, then delivered once with byte-identical bodies`, async () => {
    const c = conversion()
    await sb.script([fault, fault])
    const receipt = await newClient().submit(c)
    assert.equal(receipt.attempts, 3)
    assert.deepEqual(await sb.orders(), { [c.orderId]: 1 })
    const bodies = new Set((await apiRequests()).map((r) => r.body))
    assert.equal(bodies.size, 1)
  })
}

for (const [status, Class] of [
  [400, impact.ApiError],
  [401, impact.AuthError],
  [403, impact.AuthError],
  [404, impact.ApiError],
  [422, impact.ApiError],
]) {
  test(`${status} fails at once with ${Class.name}, never retried`, async () => {
    await sb.script([{ status }])
    const err = await newClient().submit(conversion()).catch((e) => e)
    assert.ok(err instanceof Class, `${err}`)
    assert.equal(err.status, status)
    assert.equal(err.attempts, 1)
    assert.equal(err.retryable, false)
    assert.equal((await apiRequests()).length, 1)
  })
}

test('retries exhausted: TransportError with attempts and status', async () => {
  await sb.script([{ status: 503 }, { status: 503 }, { status: 503 }])
  await assert.rejects(newClient({ maxAttempts: 3 }).submit(conversion()), (err) => {
    assert.ok(err instanceof impact.TransportError, `${err}`)
    assert.ok(err instanceof impact.ImpactError && err instanceof Error)
    assert.equal(err.code, 'transport')
    assert.equal(err.attempts, 3)
    assert.equal(err.status, 503)
    assert.equal(err.retryable, true)
    return true
  })
})

test('a 2xx that is not impact.com JSON is UnconfirmedError, never success', async () => {
  await sb.script([{ fault: 'garbage_2xx' }])
  await assert.rejects(newClient().submit(conversion()), impact.UnconfirmedError)
})

test('rate limiting: a short reset is waited out (not an attempt); a far reset fails fast', async () => {
  await sb.script([{ status: 429, rate_limit_reset: { delta: 1 } }])
  let started = Date.now()
  const receipt = await newClient({ maxAttempts: 1 }).submit(conversion())
  assert.equal(receipt.attempts, 2)
  assert.ok(Date.now() - started >= 900, 'waited for the reset')

  await sb.script([{ status: 429, rate_limit_reset: { delta: 3600 } }])
  started = Date.now()
  await assert.rejects(newClient().submit(conversion()), (err) => {
    assert.ok(err instanceof impact.RateLimitedError, `${err}`)
    assert.ok(err.resetAt instanceof Date)
    assert.ok(err.resetAt.getTime() > Date.now() + 3_000_000)
    assert.equal(err.retryable, true)
    return true
  })
  assert.ok(Date.now() - started < 1_000, 'no waiting for a reset past the deadline')
})

test('the deadline bounds the whole submission: TimeoutError', async () => {
  await sb.script(Array.from({ length: 50 }, () => ({ status: 503 })))
  const started = Date.now()
  const client = newClient({ maxAttempts: 50, baseDelayMs: 100, maxDelayMs: 200, deadlineMs: 800 })
  await assert.rejects(client.submit(conversion()), impact.TimeoutError)
  assert.ok(Date.now() - started < 1_500)
})

test('invalid conversions reject with ValidationError (every issue) before any request', async () => {
  const client = newClient()
  await assert.rejects(client.submit(conversion({ amount: 0.1 + 0.2, orderId: '' })), (err) => {
    assert.ok(err instanceof impact.ValidationError)
    assert.deepEqual(err.issues.map((i) => i.code).sort(), ['required', 'too_many_decimals'])
    return true
  })
  await assert.rejects(client.submit(conversion({ eventDate: '2024-08-01T23:55:24' })), impact.ValidationError)
  assert.equal((await apiRequests()).length, 0)
})

test('submitMany: allSettled-shaped results in input order; only valid ones are sent', async () => {
  const list = [conversion(), conversion({ clickId: null }), conversion({ amont: '1.00' }), conversion()]
  const results = await newClient().submitMany(list, { concurrency: 2 })
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled'])
  assert.ok(results[1].reason instanceof impact.ValidationError)
  const unknown = results[2].reason
  assert.deepEqual(unknown.issues.map((i) => [i.code, i.path]), [['unknown_field', 'amont']])
  assert.match(unknown.issues[0].message, /amount/)
  assert.equal(results[0].value.status, 'QUEUED')
  assert.deepEqual(Object.keys(await sb.orders()).sort(), [list[0].orderId, list[3].orderId].sort())
})

test('submissionStatus and waitForSubmission follow the queued conversion to Complete', async () => {
  await sb.config({ processing_delay_ms: 150 })
  const client = newClient()
  const receipt = await client.submit(conversion())
  const first = await client.submissionStatus(receipt.submissionId)
  assert.equal(first.submissionId, receipt.submissionId)
  assert.ok(['Queued', 'In Progress'].includes(first.status), first.status)
  assert.equal(first.complete, false)
  const done = await client.waitForSubmission(receipt.queuedUri, { timeout: 5_000 })
  assert.equal(done.status, 'Complete')
  assert.equal(done.complete, true)
  assert.equal(done.errorType, null)
  assert.equal(typeof done.raw, 'object')

  await sb.config({ processing_delay_ms: 60_000 })
  const slow = await client.submit(conversion())
  await assert.rejects(client.waitForSubmission(slow.submissionId, { timeout: 300 }), impact.TimeoutError)
})

test('a duplicate order is accepted, then reported by its submission status', async () => {
  await sb.config({ processing_delay_ms: 0 })
  const client = newClient()
  const c = conversion()
  await client.submit(c)
  const again = await newClient().submit(c)
  const status = await client.waitForSubmission(again.submissionId, { timeout: 5_000 })
  assert.equal(status.errorType, 'Contract Error')
  assert.equal(status.errorReason, 'CONV_DUPLICATE')
})

test('modifyAction and reverseAction: sent, validated by the core', async () => {
  const client = newClient()
  const modified = await client.modifyAction({ actionId: '1000.1.1', reason: 'ITEM_RETURNED', amount: '10.00' })
  assert.equal(modified.status, 'QUEUED')
  const reversed = await client.reverseAction({ actionId: '1000.1.1', dispositionCode: 'ITEM_RETURNED' })
  assert.equal(reversed.status, 'QUEUED')
  const methods = (await apiRequests()).map((r) => r.method)
  assert.deepEqual(methods, ['PUT', 'DELETE'])
  await assert.rejects(client.reverseAction({ actionId: '1000.1.1', dispositionCode: 'NOPE' }), impact.ValidationError)
  assert.equal((await apiRequests()).length, 2)
})

test('events: attempt, retry (reason, delay), success and give-up reach onEvent as objects', async () => {
  const events = []
  const client = newClient({ onEvent: (e) => events.push(e), maxAttempts: 2 })
  await sb.script([{ status: 503 }])
  await client.submit(conversion())
  await sb.script([{ status: 503 }, { status: 503 }])
  await client.submit(conversion()).catch(() => {})
  await new Promise((r) => setTimeout(r, 50))
  const kinds = events.map((e) => e.kind)
  assert.deepEqual(kinds, ['attempt', 'retry', 'attempt', 'success', 'attempt', 'retry', 'attempt', 'give_up'])
  const retry = events[1]
  assert.equal(retry.status, 503)
  assert.equal(typeof retry.delayMs, 'number')
  assert.match(retry.reason, /503/)
  assert.equal(events[3].attempts, 2)
  assert.equal(events[7].code, 'transport')
})

test('an onEvent that throws never breaks a submission (a warning is emitted)', async () => {
  const warnings = []
  const onWarning = (w) => warnings.push(w)
  process.on('warning', onWarning)
  try {
    const receipt = await newClient({ onEvent: () => { throw new Error('logger down') } }).submit(conversion())
    assert.equal(receipt.status, 'QUEUED')
    await new Promise((r) => setTimeout(r, 50))
    assert.ok(warnings.some((w) => /logger down/.test(w.message)))
  } finally {
    process.off('warning', onWarning)
  }
})

test('1,000 concurrent submits: all delivered once, the event loop stays responsive', async (t) => {
  const client = newClient()
  const list = Array.from({ length: 1000 }, () => conversion())
  const h = monitorEventLoopDelay({ resolution: 5 })
  h.enable()
  const started = Date.now()
  const receipts = await Promise.all(list.map((c) => client.submit(c)))
  const ms = Date.now() - started
  h.disable()
  assert.equal(receipts.length, 1000)
  assert.equal(Object.keys(await sb.orders()).length, 1000)
  const p50 = h.percentile(50) / 1e6
  const p99 = h.percentile(99) / 1e6
  const max = h.max / 1e6
  const line = `1000 concurrent submits in ${ms} ms; event-loop delay p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms`
  t.diagnostic(line)
  console.log(`# ${line}`)
  // A loop blocked by network work would show most of the run as one delay.
  assert.ok(max < Math.max(250, ms / 4), `event loop blocked for ${max} ms of ${ms}`)
})

test('concurrent submits of the same order coalesce into one request', async () => {
  const client = newClient()
  const c = conversion()
  await sb.script([{ delay_ms: 200 }])
  const receipts = await Promise.all([client.submit(c), client.submit(c), client.submit(c)])
  assert.equal(new Set(receipts.map((r) => r.submissionId)).size, 1)
  assert.equal((await apiRequests()).length, 1)
})

test('bad call arguments reject with a ValidationError naming them, never a synchronous throw', async () => {
  const client = newClient()
  const cases = [
    [() => client.submitMany('nope'), /conversions/],
    [() => client.submitMany([conversion()], { concurrency: -1 }), /concurrency/],
    [() => client.submitMany([conversion()], { concurrency: '4' }), /concurrency/],
    [() => client.waitForSubmission('A-1', { timeout: '5s' }), /timeout/],
    [() => client.waitForSubmission('A-1', { timeout: Infinity }), /timeout/],
    [() => client.submissionStatus(''), /id/],
    [() => client.modifyAction(), /modif|reason|action/i],
    [() => client.reverseAction({ actionId: '1000.1.1' }), /disposition_code/],
  ]
  for (const [start, named] of cases) {
    let promise
    assert.doesNotThrow(() => {
      promise = start()
    })
    await assert.rejects(promise, (err) => {
      assert.ok(err instanceof impact.ValidationError, `${err}`)
      assert.match(err.message, named)
      return true
    })
  }
  assert.equal((await apiRequests()).length, 0)
})

test('Client.fromEnv reads IMPACT_* and takes options; errors name the variable', async () => {
  const keys = ['IMPACT_ACCOUNT_SID', 'IMPACT_AUTH_TOKEN', 'IMPACT_BASE_URL']
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]))
  try {
    process.env.IMPACT_ACCOUNT_SID = ACCOUNT_SID
    process.env.IMPACT_AUTH_TOKEN = AUTH_TOKEN
    process.env.IMPACT_BASE_URL = sb.url
    const client = impact.Client.fromEnv({ maxAttempts: 2 })
    assert.deepEqual(client.toJSON(), { accountSid: ACCOUNT_SID, baseUrl: sb.url })
    assert.equal((await client.submit(conversion())).status, 'QUEUED')
    delete process.env.IMPACT_AUTH_TOKEN
    assert.throws(() => impact.Client.fromEnv(), (err) => err instanceof impact.ConfigError && /IMPACT_AUTH_TOKEN/.test(err.message))
  } finally {
    for (const k of keys) {
      if (saved[k] === undefined) delete process.env[k]
      else process.env[k] = saved[k]
    }
  }
})

test('configuration errors are ConfigError naming the option, never echoing the token', () => {
  const cases = [
    [{ baseUrl: 'http://api.example.com' }, /https/],
    [{ baseUrl: 'ftp://x' }, /base_url/],
    [{ maxAttempts: 0 }, /max_attempts/],
    [{ accountSid: 'nope' }, /account_sid/],
    [{ maxAtempts: 3 }, /max_atempts/],
  ]
  for (const [over, pattern] of cases) {
    assert.throws(() => newClient(over), (err) => {
      assert.ok(err instanceof impact.ConfigError, `${err}`)
      assert.match(err.message, pattern)
      assert.ok(!inspect(err).includes(AUTH_TOKEN))
      return true
    })
  }
  assert.throws(() => new impact.Client(), impact.ConfigError)
  assert.throws(() => newClient({ onEvent: 'log' }), impact.ConfigError)
})

test('secrets: the AuthToken is absent from errors, events, inspect and JSON', async () => {
  const events = []
  const client = newClient({ onEvent: (e) => events.push(e) })
  await sb.script([{ status: 401 }, { status: 503, body: 'upstream failed' }, { status: 503 }])
  const errors = [await client.submit(conversion()).catch((e) => e)]
  errors.push(await newClient({ maxAttempts: 2 }).submit(conversion()).catch((e) => e))
  await new Promise((r) => setTimeout(r, 20))
  const shown = [
    ...errors.flatMap((e) => [String(e), e.stack, inspect(e, { depth: 10, showHidden: true }), JSON.stringify(e)]),
    JSON.stringify(events),
    inspect(client, { depth: 10, showHidden: true }),
    JSON.stringify(client),
    String(client),
  ]
  for (const text of shown) assert.ok(!text.includes(AUTH_TOKEN), `the AuthToken leaked: ${text}`)
  assert.ok(inspect(client).includes(ACCOUNT_SID))
  assert.ok(errors[0] instanceof impact.AuthError)
})
