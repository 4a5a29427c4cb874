// The package is importable from CommonJS and ESM, and both give the same objects.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const { inspect } = require('node:util')

test('require and import give one API (same classes, same addon)', async () => {
  const cjs = require('impact-conversions')
  const esm = await import('impact-conversions')
  assert.equal(cjs.ImpactError, esm.ImpactError)
  assert.equal(cjs.validate, esm.validate)
  assert.equal(typeof require('impact-conversions/express').impactClickId, 'function')
  assert.equal(typeof (await import('impact-conversions/express')).impactClickId, 'function')
  assert.deepEqual(cjs.errorCodes(), ['validation', 'config', 'auth', 'api', 'rate_limited', 'transport', 'timeout', 'unconfirmed', 'internal'])
})

test('errors: subclasses per code, every field, Date resetAt, instanceof Error', () => {
  const impact = require('impact-conversions')
  try {
    impact.encode({ campaignId: 0, eventDate: '2024-08-01', orderId: 'O1' })
    assert.fail('encode accepted an invalid conversion')
  } catch (err) {
    assert.ok(err instanceof impact.ValidationError)
    assert.ok(err instanceof impact.ImpactError)
    assert.ok(err instanceof Error)
    assert.equal(err.name, 'ValidationError')
    assert.equal(err.code, 'validation')
    assert.ok(err.issues.length >= 2)
    assert.equal(err.retryable, false)
    assert.ok(inspect(err).includes("code: 'validation'"))
  }
  const translated = impact._internal.translateError(new Error('\u0001impact-error\u0001{"code":"rate_limited","message":"budget spent","status":429,"attempts":2,"reset_at":1700000000}'))
  assert.ok(translated instanceof impact.RateLimitedError)
  assert.equal(translated.resetAt.toISOString(), '2023-11-14T22:13:20.000Z')
  assert.equal(translated.status, 429)
  assert.equal(translated.attempts, 2)
  assert.equal(translated.retryable, true)
})

test('money and dates: numbers through their shortest form, Date as RFC 3339', () => {
  const impact = require('impact-conversions')
  const base = { campaignId: 1000, eventTypeId: 9876, orderId: 'O1', clickId: 'abc', currencyCode: 'USD' }
  const body = impact.encode({ ...base, eventDate: new Date(Date.UTC(2024, 7, 1, 23, 55, 24)), amount: 14.0 })
  assert.ok(body.includes('EventDate=2024-08-01T23%3A55%3A24.000Z'), body)
  assert.ok(body.includes('Amount=14.00'), body)
  assert.throws(() => impact.encode({ ...base, eventDate: '2024-08-01T23:55:24Z', amount: 0.1 + 0.2 }), (e) => e.issues[0].code === 'too_many_decimals')
})
