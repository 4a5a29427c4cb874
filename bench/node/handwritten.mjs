// What an integrator writes by hand in plain JS: the same checks the core makes for the
// conversions used in the benchmark (required fields, ids, RFC 3339 dates with an offset,
// money exact to the currency's minor unit, non-negative amounts, lengths, control
// characters, items), then URLSearchParams. Throws on the first problem.
import { createHash } from 'node:crypto'

const MINOR = { USD: 2, EUR: 2, GBP: 2, JPY: 0, KWD: 3, CAD: 2, AUD: 2 }
const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/
const CONTROL = /[\u0000-\u001f\u007f]/
const DECIMAL = /^-?\d+(\.\d+)?$/

function id(name, v) {
  const n = typeof v === 'string' ? Number(v) : v
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name}: positive integer expected`)
  return String(n)
}

function text(name, v, max = 64) {
  if (typeof v !== 'string') throw new Error(`${name}: string expected`)
  if (v === '') throw new Error(`${name}: empty`)
  if ([...v].length > max) throw new Error(`${name}: too long`)
  if (CONTROL.test(v)) throw new Error(`${name}: control character`)
  return v
}

function money(name, v, scale, signed = false) {
  const s = typeof v === 'number' ? String(v) : v
  if (typeof s !== 'string' || !DECIMAL.test(s)) throw new Error(`${name}: decimal expected`)
  const neg = s.startsWith('-')
  if (neg && !signed) throw new Error(`${name}: negative`)
  const [int, frac = ''] = (neg ? s.slice(1) : s).split('.')
  const trimmed = frac.replace(/0+$/, '')
  if (trimmed.length > scale) throw new Error(`${name}: too many decimals`)
  return (neg ? '-' : '') + String(BigInt(int)) + (scale ? '.' + trimmed.padEnd(scale, '0') : '')
}

function date(name, v) {
  const s = v instanceof Date ? v.toISOString() : v
  if (typeof s !== 'string' || !DATE.test(s) || Number.isNaN(Date.parse(s))) throw new Error(`${name}: RFC 3339 with offset expected`)
  return s
}

export function encodeByHand(c) {
  const p = new URLSearchParams()
  p.append('CampaignId', id('CampaignId', c.campaignId))
  p.append('EventDate', date('EventDate', c.eventDate))
  p.append('OrderId', text('OrderId', c.orderId))
  if (c.eventTypeId === undefined) throw new Error('EventTypeId: required')
  p.append('EventTypeId', id('EventTypeId', c.eventTypeId))
  if (c.clickId === undefined && c.customerId === undefined) throw new Error('an attribution key is required')
  if (c.clickId !== undefined) p.append('ClickId', text('ClickId', c.clickId))
  if (c.customerId !== undefined) p.append('CustomerId', text('CustomerId', c.customerId))
  if (c.orderPromoCode !== undefined) p.append('OrderPromoCode', text('OrderPromoCode', c.orderPromoCode))
  const cur = c.currencyCode
  const scale = MINOR[cur]
  if (scale === undefined) throw new Error('CurrencyCode: unknown')
  p.append('CurrencyCode', cur)
  if (c.orderDiscount !== undefined) p.append('OrderDiscount', money('OrderDiscount', c.orderDiscount, scale))
  if (c.customerEmail !== undefined) {
    const e = c.customerEmail.trim().toLowerCase()
    p.append('CustomerEmail', /^[0-9a-f]{64}$/.test(e) ? e : createHash('sha256').update(e).digest('hex'))
  }
  ;(c.items ?? []).forEach((it, i) => {
    const n = i + 1
    p.append(`ItemSku${n}`, text(`ItemSku${n}`, it.sku))
    if (it.name !== undefined) p.append(`ItemName${n}`, text(`ItemName${n}`, it.name))
    if (it.category !== undefined) p.append(`ItemCategory${n}`, text(`ItemCategory${n}`, it.category))
    if (!Number.isSafeInteger(it.quantity) || it.quantity < 1) throw new Error(`ItemQuantity${n}: whole number >= 1`)
    p.append(`ItemQuantity${n}`, String(it.quantity))
    if ((it.price === undefined) === (it.subTotal === undefined)) throw new Error(`item ${n}: price or subTotal`)
    if (it.price !== undefined) p.append(`ItemPrice${n}`, money(`ItemPrice${n}`, it.price, scale))
    else p.append(`ItemSubTotal${n}`, money(`ItemSubTotal${n}`, it.subTotal, scale))
  })
  return p.toString()
}
