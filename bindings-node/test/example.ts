// Compiled by `make test` with `tsc --noEmit --strict`: the README's Node examples, typed.
import {
  Client,
  allocateDiscount,
  capture,
  decorateUrl,
  encode,
  ImpactError,
  RateLimitedError,
  readStored,
  validate,
  ValidationError,
  type CaptureOutcome,
  type ImpactEvent,
  type Receipt,
  type SubmissionStatus,
  type Conversion,
  type ValidationReport,
} from 'impact-conversions'
import { impactClickId } from 'impact-conversions/express'
import express from 'express'

const conversion: Conversion = {
  campaignId: 1000,
  eventTypeId: 9876,
  eventDate: new Date('2024-08-01T23:55:24Z'),
  orderId: 'O1234567',
  clickId: 'QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0',
  currencyCode: 'USD',
  orderDiscount: '15.00',
  items: [
    { sku: '1ABC2345', quantity: 2, subTotal: '28.00' },
    { sku: '9ZXY7654', quantity: 3, subTotal: 99, text1: 'blue' },
  ],
}

const report: ValidationReport = validate(conversion)
for (const issue of [...report.errors, ...report.warnings]) {
  console.log(issue.code, issue.path, issue.field ?? '-', issue.message)
}
const body: string = encode({ CampaignId: 1000, EventTypeId: 9876, OrderId: 'O1' })
const shares: string[] = allocateDiscount(conversion).items.map((s) => s.share)
console.log(body.length, shares)

try {
  encode({ ...conversion, amount: 0.1 + 0.2 })
} catch (err) {
  if (err instanceof ValidationError) {
    console.log(err.code, err.issues.map((i) => i.path))
  } else if (err instanceof RateLimitedError) {
    console.log(err.resetAt?.toISOString())
  } else if (err instanceof ImpactError) {
    console.log(err.code, err.status, err.attempts, err.retryable)
  }
}

const outcome: CaptureOutcome = capture(
  { scheme: 'https', host: 'www.shop.example', url: '/?irclickid=abc', consent: 'granted' },
  { maxAgeSecs: 86400 },
)
const stored: string | null = readStored('impact_irclickid=1.1700000000000.abc').clickId
const link: string = decorateUrl('https://sister.example/', 'abc', { config: { handoff: { sisterDomains: ['sister.example'] } } }).url
console.log(outcome.setCookie, stored, link)

const app = express()
app.use(impactClickId({ consent: (req) => (req.headers['x-consent'] === 'yes' ? 'granted' : 'denied') }))
app.get('/', (req, res) => {
  const id: string | null | undefined = req.impactClickId
  res.send(id ?? 'none')
})

async function checkout(): Promise<void> {
  const client = new Client({
    accountSid: process.env.IMPACT_ACCOUNT_SID ?? 'IR...',
    authToken: process.env.IMPACT_AUTH_TOKEN ?? '',
    retry: { maxAttempts: 5, baseDelayMs: 500 },
    timeout: 30_000,
    onEvent: (event: ImpactEvent) => {
      if (event.kind === 'retry') console.warn('retrying', event.orderId, event.reason, event.delayMs)
      if (event.kind === 'give_up') console.error('gave up', event.orderId, event.code)
    },
  })
  const receipt: Receipt = await client.submit({ ...conversion, orderId: 'O-42' })
  const status: SubmissionStatus = await client.waitForSubmission(receipt.submissionId, { timeout: 60_000 })
  console.log(status.complete, status.errorType ?? 'ok')
  const results = await client.submitMany([conversion, { ...conversion, orderId: 'O-43' }], { concurrency: 8 })
  for (const r of results) {
    if (r.status === 'fulfilled') console.log(r.value.queuedUri)
    else if (r.reason instanceof ValidationError) console.log(r.reason.issues)
  }
  await client.reverseAction({ actionTrackerId: 9876, orderId: 'O-42', dispositionCode: 'ITEM_RETURNED' })
  await client.modifyAction({ actionTrackerId: 9876, orderId: 'O-43', reason: 'ITEM_RETURNED', sku: '1ABC2345', quantity: 1 })
  const fromEnv: Client = Client.fromEnv({ maxAttempts: 3 })
  console.log(fromEnv.toJSON().accountSid)
}
void checkout
