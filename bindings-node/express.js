'use strict'
// `impact-conversions/express`: click-id capture as Express (or plain node:http) middleware.
// The core decides everything and returns the exact Set-Cookie strings; they are appended
// verbatim (res.cookie would percent-encode them).

const impact = require('./index.js')

function headerValue(v) {
  if (v === undefined) return undefined
  return Array.isArray(v) ? v.join('; ') : String(v)
}

function appendSetCookie(res, values) {
  if (values.length === 0) return
  if (typeof res.append === 'function') {
    for (const value of values) res.append('Set-Cookie', value)
    return
  }
  const prev = res.getHeader('Set-Cookie')
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev : [String(prev)]
  res.setHeader('Set-Cookie', list.concat(values))
}

/**
 * Middleware that runs `capture` on the raw URL and Cookie header of every request, sets
 * `req.impactClickId` (and `req.impactClickIdOutcome`), and appends the core's Set-Cookie
 * values. Options: `config` (ClickIdConfig), `consent` (a value or `(req) => value`),
 * `now` (`() => ms`, for tests).
 */
function impactClickId(options = {}) {
  const config = options.config ?? {}
  // A bad configuration fails at startup, not on the first request.
  impact.clearClickId('example.com', config)
  const consentOf = typeof options.consent === 'function' ? options.consent : () => options.consent
  const now = typeof options.now === 'function' ? options.now : Date.now
  return function impactClickIdMiddleware(req, res, next) {
    let outcome
    try {
      const consent = consentOf(req)
      outcome = impact.capture(
        {
          scheme: req.socket && req.socket.encrypted ? 'https' : 'http',
          host: headerValue(req.headers.host) ?? '',
          url: req.originalUrl ?? req.url,
          cookie: headerValue(req.headers.cookie),
          referer: headerValue(req.headers.referer),
          forwardedProto: headerValue(req.headers['x-forwarded-proto']),
          consent: consent ?? undefined,
          now: now(),
        },
        config,
      )
    } catch (err) {
      if (typeof next === 'function') return next(err)
      throw err
    }
    req.impactClickId = outcome.clickId
    req.impactClickIdOutcome = outcome
    appendSetCookie(res, outcome.setCookie)
    if (typeof next === 'function') next()
  }
}

module.exports = { impactClickId, appendSetCookie }
