import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const cjs = require('./express.js')

export const { impactClickId, appendSetCookie } = cjs
export default cjs
