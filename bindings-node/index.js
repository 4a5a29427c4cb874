'use strict'
// The public entry of `impact-conversions` (CommonJS; `index.mjs` re-exports it for ESM).
// It only translates: JS values -> JSON text for the Rust core, JSON results -> camelCase
// objects, core errors -> ImpactError subclasses, core events -> plain objects. Every rule
// lives in the core (native.js loads the addon built from bindings-node/src).

const util = require('node:util')
const native = require('./native.js')

const ERROR_MARKER = '\u0001impact-error\u0001'

// ---- errors --------------------------------------------------------------------------

class ImpactError extends Error {
  constructor(data) {
    super(String(data && data.message ? data.message : 'impact-conversions error'))
    Object.defineProperty(this, 'name', { value: new.target.name, enumerable: false, configurable: true, writable: true })
    this.code = data.code
    this.issues = Array.isArray(data.issues) ? data.issues : []
    this.status = typeof data.status === 'number' ? data.status : undefined
    this.attempts = typeof data.attempts === 'number' ? data.attempts : undefined
    this.resetAt = typeof data.reset_at === 'number' ? new Date(data.reset_at * 1000) : undefined
    this.apiErrors = Array.isArray(data.api_errors) ? data.api_errors.map((e) => ({ field: e.field ?? null, message: e.message })) : []
  }

  /** Whether sending the same request again later could succeed. */
  get retryable() {
    return this.code === 'rate_limited' || this.code === 'transport' || this.code === 'timeout'
  }
}

class ValidationError extends ImpactError {}
class ConfigError extends ImpactError {}
class AuthError extends ImpactError {}
class ApiError extends ImpactError {}
class RateLimitedError extends ImpactError {}
class TransportError extends ImpactError {}
class TimeoutError extends ImpactError {}
class UnconfirmedError extends ImpactError {}
class InternalError extends ImpactError {}

const ERROR_CLASSES = {
  validation: ValidationError,
  config: ConfigError,
  auth: AuthError,
  api: ApiError,
  rate_limited: RateLimitedError,
  transport: TransportError,
  timeout: TimeoutError,
  unconfirmed: UnconfirmedError,
  internal: InternalError,
}

/** A native exception carrying a core error -> the ImpactError subclass for its code. */
function translateError(err) {
  const message = err && typeof err.message === 'string' ? err.message : ''
  const at = message.indexOf(ERROR_MARKER)
  if (at < 0) return err
  let data
  try {
    data = JSON.parse(message.slice(at + ERROR_MARKER.length))
  } catch {
    return new InternalError({ code: 'internal', message: 'unreadable error from the core' })
  }
  const Class = ERROR_CLASSES[data.code] || ImpactError
  const out = new Class(data)
  Error.captureStackTrace?.(out, translateError)
  return out
}

function call(fn, ...args) {
  try {
    return fn(...args)
  } catch (err) {
    throw translateError(err)
  }
}

// ---- values --------------------------------------------------------------------------

function replacer(_key, value) {
  // A BigInt id is sent as its decimal digits (JSON.stringify throws on BigInt).
  return typeof value === 'bigint' ? value.toString() : value
}

/** A conversion -> the JSON text the core reads. `JSON.stringify` writes numbers through
 *  their shortest representation and a Date through `toISOString()` (RFC 3339, UTC). */
function conversionJson(conversion) {
  // Anything else (an array, a string, undefined) is reported by the core as it would be
  // for any other language: `invalid_type` at the root.
  const text = JSON.stringify(conversion, replacer)
  return text === undefined ? 'null' : text
}

const camelKey = (k) => (k.includes('_') ? k.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase()) : k)
const snakeKey = (k) => k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())

/** snake_case keys of the core's JSON -> camelCase, recursively (values untouched). */
function camelize(value) {
  if (Array.isArray(value)) return value.map(camelize)
  if (value === null || typeof value !== 'object') return value
  const out = {}
  for (const key of Object.keys(value)) out[camelKey(key)] = camelize(value[key])
  return out
}

/** camelCase option keys -> the core's snake_case, recursively; `undefined` dropped. */
function snakeize(value) {
  if (Array.isArray(value)) return value.map(snakeize)
  if (value === null || typeof value !== 'object' || value instanceof Date) return value
  const out = {}
  for (const key of Object.keys(value)) {
    if (value[key] !== undefined) out[snakeKey(key)] = snakeize(value[key])
  }
  return out
}

function nowMs(now) {
  if (now === undefined || now === null) return Date.now()
  if (now instanceof Date) return now.getTime()
  if (typeof now === 'string') return Date.parse(now)
  return Number(now)
}

/** Click-id config objects are converted once and remembered. */
const configCache = new WeakMap()
function configJson(config) {
  if (config === undefined || config === null) return undefined
  if (typeof config !== 'object') {
    throw new ConfigError({ code: 'config', message: 'the click-id config is an object' })
  }
  let text = configCache.get(config)
  if (text === undefined) {
    text = JSON.stringify(snakeize(config))
    configCache.set(config, text)
  }
  return text
}

// ---- conversions ---------------------------------------------------------------------

/** Every problem of a conversion at once: `{ valid, errors, warnings }`. */
function validate(conversion) {
  return JSON.parse(call(native.validate, conversionJson(conversion)))
}

/** The exact form body impact.com receives; throws `ValidationError` when invalid. */
function encode(conversion) {
  return call(native.encode, conversionJson(conversion))
}

/** Validates then encodes: `{ body, orderId, eventKey, warnings }`. */
function prepare(conversion) {
  return camelize(JSON.parse(call(native.prepare, conversionJson(conversion))))
}

/** How impact.com spreads `orderDiscount` over the items. */
function allocateDiscount(conversion) {
  return camelize(JSON.parse(call(native.allocateDiscount, conversionJson(conversion))))
}

// ---- click id ------------------------------------------------------------------------

/** The click-id decision for one request, with the exact Set-Cookie values to append. */
function capture(request, config) {
  if (request === null || typeof request !== 'object') {
    throw new ValidationError({ code: 'validation', message: 'capture(request): request is an object' })
  }
  const req = snakeize(request)
  if (req.now === undefined) req.now = Date.now()
  else if (request.now instanceof Date) req.now = request.now.getTime()
  return camelize(JSON.parse(call(native.capture, JSON.stringify(req), configJson(config))))
}

/** The stored click id in a Cookie header (nothing written, consent not consulted). */
function readStored(cookieHeader, options = {}) {
  const text = call(native.readStored, cookieHeader ?? null, nowMs(options.now), configJson(options.config))
  return camelize(JSON.parse(text))
}

/** Adds the click id (or a signed hand-off token) to a link to a sister domain. */
function decorateUrl(url, clickId, options = {}) {
  const text = call(native.decorateUrl, String(url), String(clickId), nowMs(options.now), configJson(options.config))
  return camelize(JSON.parse(text))
}

/** Set-Cookie values deleting the click-id cookie for `host` (both scopes). */
function clearClickId(host, config) {
  return call(native.clearClickId, String(host), configJson(config))
}

/** `null` when `value` is a valid click id, else the warning why not. */
function validateClickId(value) {
  const text = call(native.validateClickId, String(value))
  return text === null ? null : JSON.parse(text)
}

// ---- client --------------------------------------------------------------------------

/** Client options -> the core's JSON config (snake_case); `retry` and `timeout` flattened. */
function clientConfigJson(options) {
  const { onEvent, retry, timeout, ...rest } = options ?? {}
  const flat = { ...rest }
  if (retry && typeof retry === 'object') Object.assign(flat, retry)
  if (timeout !== undefined && flat.deadlineMs === undefined) flat.deadlineMs = timeout
  return JSON.stringify(snakeize(flat))
}

/** A core event (JSON) -> a plain camelCase object for the user's `onEvent`. */
function eventSink(onEvent) {
  if (onEvent === undefined || onEvent === null) return undefined
  if (typeof onEvent !== 'function') {
    throw new ConfigError({ code: 'config', message: 'onEvent must be a function' })
  }
  return (text) => {
    let event
    try {
      event = camelize(JSON.parse(text))
    } catch {
      return
    }
    try {
      onEvent(event)
    } catch (e) {
      // A logging callback must never break a submission.
      process.emitWarning(`impact-conversions: onEvent threw: ${e && e.message}`, 'ImpactConversionsWarning')
    }
  }
}

const parse = (text) => camelize(JSON.parse(text))
const reject = (err) => Promise.reject(translateError(err))

class Client {
  #native
  #public

  constructor(options, _fromEnv) {
    if (_fromEnv === kFromEnv) {
      this.#native = options.native
      this.#public = options.public
      return
    }
    if (options === null || typeof options !== 'object') {
      throw new ConfigError({ code: 'config', message: 'new Client(options): options is an object with accountSid and authToken (or use Client.fromEnv())' })
    }
    const sink = eventSink(options.onEvent)
    this.#native = call(() => new native.Client(clientConfigJson(options), sink))
    this.#public = describe(this.#native)
  }

  /** A client from IMPACT_ACCOUNT_SID, IMPACT_AUTH_TOKEN and IMPACT_BASE_URL; `options`
   *  adds retry/timeout settings and `onEvent`. */
  static fromEnv(options = {}) {
    const sink = eventSink(options.onEvent)
    const n = call(() => native.Client.fromEnv(clientConfigJson(options), sink))
    return new Client({ native: n, public: describe(n) }, kFromEnv)
  }

  /** Validates, then sends one conversion with retries. Resolves with impact.com's receipt. */
  submit(conversion) {
    return this.#run('submit', () => conversionJson(conversion), parse)
  }

  /** Sends many conversions, at most `concurrency` at a time. Never rejects for one bad
   *  conversion: each result is `{ status: 'fulfilled', value }` or `{ status: 'rejected', reason }`
   *  (the shape of Promise.allSettled), in input order. */
  submitMany(conversions, options = {}) {
    const args = () => JSON.stringify({ conversions, concurrency: options?.concurrency ?? 8 }, replacer)
    return this.#run('submitMany', args, (out) =>
      JSON.parse(out).map((r) =>
        r.error !== undefined
          ? { status: 'rejected', reason: errorFromData(r.error) }
          : { status: 'fulfilled', value: camelize(r.ok) },
      ),
    )
  }

  /** The processing status of a submission (by the receipt's id). */
  submissionStatus(id) {
    return this.#run('submissionStatus', () => JSON.stringify({ id }), parse)
  }

  /** Polls the submission until impact.com has processed it or `timeout` ms pass. */
  waitForSubmission(id, options = {}) {
    // The core counts seconds; anything but a finite number reaches it as is and is refused.
    const ms = options?.timeout ?? 60_000
    const timeout = Number.isFinite(ms) ? ms / 1000 : String(ms)
    return this.#run('waitForSubmission', () => JSON.stringify({ id, timeout }), parse)
  }

  /** Changes an existing action (amount, items...): impact.com's ModifyAction. */
  modifyAction(modification) {
    return this.#run('modifyAction', () => JSON.stringify(snakeizeShallow(modification ?? null), replacer), parse)
  }

  /** Reverses an action (whole or part): impact.com's ReverseAction. */
  reverseAction(reversal) {
    return this.#run('reverseAction', () => JSON.stringify(snakeizeShallow(reversal ?? null), replacer), parse)
  }

  /** One native call: the arguments' JSON, the Promise, the result's translation. Every
   *  failure, even a synchronous one, is a rejected Promise with an ImpactError. */
  #run(method, args, translate) {
    try {
      return this.#native[method](args()).then(translate, reject)
    } catch (err) {
      return reject(err)
    }
  }

  /** What is safe to show: account and base URL, never the AuthToken. */
  toJSON() {
    return { ...this.#public }
  }

  [util.inspect.custom](_depth, options, inspect) {
    return `Client ${(inspect ?? util.inspect)(this.#public, options)}`
  }
}
const kFromEnv = Symbol('fromEnv')

function describe(n) {
  try {
    return camelize(JSON.parse(n.toJSON()))
  } catch {
    return {}
  }
}

function snakeizeShallow(value) {
  if (value === null || typeof value !== 'object') return value
  const out = {}
  for (const key of Object.keys(value)) if (value[key] !== undefined) out[snakeKey(key)] = value[key]
  return out
}

function errorFromData(data) {
  const Class = ERROR_CLASSES[data.code] || ImpactError
  return new Class(data)
}

const errorCodes = () => native.errorCodes()
const coreVersion = () => native.coreVersion()

module.exports = {
  Client,
  validate,
  encode,
  prepare,
  allocateDiscount,
  capture,
  readStored,
  decorateUrl,
  clearClickId,
  validateClickId,
  errorCodes,
  coreVersion,
  ImpactError,
  ValidationError,
  ConfigError,
  AuthError,
  ApiError,
  RateLimitedError,
  TransportError,
  TimeoutError,
  UnconfirmedError,
  InternalError,
  __napiBindingTarget: native.__napiBindingTarget,
}

// Internal helpers shared with express.js (not part of the typed API).
Object.defineProperty(module.exports, '_internal', {
  value: { translateError, conversionJson, camelize, snakeize, configJson, native, util },
  enumerable: false,
})
