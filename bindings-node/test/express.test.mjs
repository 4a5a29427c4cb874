// A real Express app over HTTP: cookie set on landing, read on return, consent denied, and
// the cross-domain hand-off token.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import express from 'express'
import http from 'node:http'
import { impactClickId } from '../express.mjs'
import { decorateUrl } from '../index.mjs'

const SECRET = 'a-hand-off-secret-of-at-least-32-bytes!!'
const config = {
  consentUnknown: 'denied',
  handoff: { sisterDomains: ['sister.example'], secret: SECRET },
}

let server
let base

before(async () => {
  const app = express()
  app.use(
    impactClickId({
      config,
      consent: (req) => (req.headers['x-consent'] === 'no' ? 'denied' : 'granted'),
    }),
  )
  app.get('*splat', (req, res) => {
    const link = req.impactClickId ? decorateUrl('https://www.sister.example/cart', req.impactClickId, { config }).url : null
    res.json({ clickId: req.impactClickId ?? null, source: req.impactClickIdOutcome?.source ?? null, link })
  })
  await new Promise((resolve) => {
    server = app.listen(0, '127.0.0.1', resolve)
  })
  base = `http://127.0.0.1:${server.address().port}`
})

after(() => new Promise((resolve) => server.close(resolve)))

// node:http rather than fetch: fetch does not let a caller set the Host header.
function get(path, { host = 'www.shop.example', cookie, consent } = {}) {
  const headers = { host }
  if (cookie) headers.cookie = cookie
  if (consent) headers['x-consent'] = consent
  return new Promise((resolve, reject) => {
    const req = http.get(base + path, { headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => resolve({ body: JSON.parse(text), setCookie: res.headers['set-cookie'] ?? [] }))
    })
    req.on('error', reject)
  })
}

test('landing sets the exact cookie; the return visit reads it back', async () => {
  const landing = await get('/landing?irclickid=Qii%3AWXOV-n.r_Q~3')
  assert.equal(landing.body.clickId, 'Qii:WXOV-n.r_Q~3')
  assert.equal(landing.body.source, 'query')
  assert.equal(landing.setCookie.length, 1)
  const cookie = landing.setCookie[0]
  // Byte-exact core output: ':' is not percent-encoded (res.cookie would write %3A).
  assert.match(cookie, /^impact_irclickid=1\.\d{13}\.Qii:WXOV-n\.r_Q~3; Max-Age=2592000; Domain=shop\.example; Path=\/; HttpOnly; SameSite=Lax$/)

  const pair = cookie.split(';')[0]
  const back = await get('/checkout', { cookie: `other=1; ${pair}` })
  assert.equal(back.body.clickId, 'Qii:WXOV-n.r_Q~3')
  assert.equal(back.body.source, 'cookie')
  assert.deepEqual(back.setCookie, [], 'a revisit without the parameter writes nothing')
})

test('consent denied: nothing stored, an existing cookie deleted, the id used for this request only', async () => {
  const res = await get('/landing?irclickid=abc123', { consent: 'no', cookie: 'impact_irclickid=1.1700000000000.old' })
  assert.equal(res.body.clickId, 'abc123')
  assert.ok(res.setCookie.length >= 1)
  for (const c of res.setCookie) assert.match(c, /^impact_irclickid=; Max-Age=0/)
  const none = await get('/landing?irclickid=abc123', { consent: 'no' })
  assert.ok(none.setCookie.every((c) => c.includes('Max-Age=0')))
})

test('hand-off: a signed token carries the click to a sister domain', async () => {
  const landing = await get('/landing?irclickid=handoff42')
  assert.ok(landing.body.link.startsWith('https://www.sister.example/cart?irclickid_token=1.'), landing.body.link)
  const token = new URL(landing.body.link).search
  const sister = await get('/arrive' + token, { host: 'www.sister.example' })
  assert.equal(sister.body.clickId, 'handoff42')
  assert.equal(sister.body.source, 'handoff')
  assert.equal(sister.setCookie.length, 1)
  assert.match(sister.setCookie[0], /^impact_irclickid=1\.\d{13}\.handoff42; Max-Age=\d+; Domain=sister\.example; Path=\/; HttpOnly; SameSite=Lax$/)

  const forged = await get('/arrive' + token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), { host: 'www.sister.example' })
  assert.equal(forged.body.clickId, null)
})

test('a bad configuration fails when the middleware is created', () => {
  assert.throws(() => impactClickId({ config: { maxAgeSecs: 0 } }), { name: 'ConfigError', code: 'config' })
})
