// Every conformance vector in tests/vectors/ through the public API, compared exactly as the
// Rust runners (core/tests/vectors.rs, core/tests/clickid_vectors.rs) compare them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import * as impact from '../index.mjs'

const root = fileURLToPath(new URL('../../tests/vectors/', import.meta.url))
const load = (dir) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(join(root, dir, f), 'utf8'))])

const triples = (list, withField) =>
  (list ?? []).map((i) => `${i.code}|${i.path}|${withField ? (i.field ?? '') : ''}`).sort()

const camel = (v) => {
  if (Array.isArray(v)) return v.map(camel)
  if (v === null || typeof v !== 'object') return v
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase()), camel(x)]))
}

test('conversion vectors: validate, encode and allocateDiscount match the core', () => {
  const all = load('conversions')
  assert.ok(all.length >= 40, `only ${all.length} vectors`)
  const failures = []
  for (const [name, v] of all) {
    const report = impact.validate(v.input)
    if (v.expect.body !== undefined) {
      if (report.errors.length) {
        failures.push(`${name}: unexpected errors ${JSON.stringify(report.errors)}`)
        continue
      }
      let body
      try {
        body = impact.encode(v.input)
      } catch (e) {
        body = `threw ${e}`
      }
      if (body !== v.expect.body) failures.push(`${name}: body\n  want ${v.expect.body}\n  got  ${body}`)
      const ww = triples(v.expect.warnings, false)
      const gw = triples(report.warnings, false)
      if (JSON.stringify(ww) !== JSON.stringify(gw)) failures.push(`${name}: warnings want ${ww} got ${gw}`)
      if (v.expect.discount) {
        const shares = impact.allocateDiscount(v.input).items.map((s) => s.share)
        if (JSON.stringify(shares) !== JSON.stringify(v.expect.discount)) {
          failures.push(`${name}: discount want ${v.expect.discount} got ${shares}`)
        }
      }
    } else {
      const want = triples(v.expect.errors, true)
      const got = triples(report.errors, true)
      if (JSON.stringify(want) !== JSON.stringify(got)) failures.push(`${name}: errors\n  want ${want}\n  got  ${got}`)
      try {
        impact.encode(v.input)
        failures.push(`${name}: encode accepted an invalid conversion`)
      } catch (e) {
        if (!(e instanceof impact.ValidationError) || e.code !== 'validation') {
          failures.push(`${name}: encode threw ${e && e.code} instead of validation`)
        }
      }
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${all.length} failed:\n${failures.join('\n')}`)
})

function fill(request, spec) {
  for (const [field, f] of Object.entries(spec)) {
    request[field] = (f.prefix ?? '') + (f.repeat ?? '').repeat(f.times) + (f.suffix ?? '')
  }
}

function runClickId(v) {
  if (v.request) {
    const request = { ...v.request }
    if (v.request_fill) fill(request, v.request_fill)
    return impact.capture(request, v.config)
  }
  if (v.decorate) {
    return impact.decorateUrl(v.decorate.url, v.decorate.click_id, { config: v.config, now: v.decorate.now })
  }
  if (v.clear) return { setCookie: impact.clearClickId(v.clear.host, v.config) }
  throw new Error('vector has none of request / decorate / clear')
}

test('click-id vectors: capture, decorateUrl and clearClickId match the core byte for byte', () => {
  const all = load('clickid')
  assert.ok(all.length >= 50, `only ${all.length} vectors`)
  const failures = []
  for (const [name, v] of all) {
    let got
    try {
      got = { ok: runClickId(v) }
    } catch (e) {
      if (!(e instanceof impact.ImpactError)) throw e
      got = { err: e.code }
    }
    if (v.expected_error) {
      if (got.err !== v.expected_error.code) failures.push(`${name}: want error ${v.expected_error.code}, got ${JSON.stringify(got)}`)
      continue
    }
    if (got.err) {
      failures.push(`${name}: unexpected error ${got.err}`)
      continue
    }
    const out = { ...got.ok }
    if (out.warnings) out.warnings = out.warnings.map((w) => ({ code: w.code }))
    try {
      assert.deepStrictEqual(out, camel(v.expected))
    } catch (e) {
      failures.push(`${name}:\n  want ${JSON.stringify(camel(v.expected))}\n  got  ${JSON.stringify(out)}`)
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${all.length} failed:\n${failures.join('\n')}`)
})
