// ESM entry: the same objects as the CommonJS entry (one addon instance, one class identity).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const cjs = require('./index.js')

export const {
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
  __napiBindingTarget,
} = cjs
export default cjs
