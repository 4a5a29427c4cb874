import type { IncomingMessage, ServerResponse } from 'node:http'
import type { CaptureOutcome, ClickIdConfig, Consent } from './index'

export interface ImpactClickIdOptions {
  /** Click-id capture settings (defaults: `irclickid`, 30 days, registrable domain). */
  config?: ClickIdConfig
  /** The visitor's tracking consent, or a function reading it from the request.
   *  Unknown is treated as denied unless `config.consentUnknown` is `'granted'`. */
  consent?: Consent | ((req: IncomingMessage) => Consent | undefined | null)
  /** The current time in unix ms (tests). */
  now?: () => number
}

export type ImpactClickIdMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void

/** Captures `irclickid` on every request: sets `req.impactClickId` and appends the core's
 *  exact `Set-Cookie` values. */
export declare function impactClickId(options?: ImpactClickIdOptions): ImpactClickIdMiddleware

/** Appends Set-Cookie values verbatim (Express `res.append`, else `setHeader`). */
export declare function appendSetCookie(res: ServerResponse, values: readonly string[]): void

declare module 'http' {
  interface IncomingMessage {
    /** The click id of this request (set by `impactClickId()`), or null. */
    impactClickId?: string | null
    /** The full capture decision (set by `impactClickId()`). */
    impactClickIdOutcome?: CaptureOutcome
  }
}
