// Starts the impact.com emulator (crate impact-sandbox) as a process on a free port and
// talks to its control API. The binary is built by `make node-test`; otherwise cargo runs it.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

const repo = fileURLToPath(new URL('../../../', import.meta.url))
export const ACCOUNT_SID = 'IRSANDBOX00000000000000000000001'
export const AUTH_TOKEN = 'sandbox-auth-token'

export async function startSandbox() {
  const bin = process.env.IMPACT_SANDBOX_BIN ?? join(repo, 'target', 'debug', 'impact-sandbox')
  const child = existsSync(bin)
    ? spawn(bin, ['--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn('cargo', ['run', '-q', '-p', 'impact-sandbox', '--', '--port', '0'], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the sandbox did not print its URL within 120 s')), 120_000)
    const lines = createInterface({ input: child.stdout })
    lines.on('line', (line) => {
      const m = /^IMPACT_SANDBOX_URL=(\S+)/.exec(line.trim())
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.on('exit', (code) => reject(new Error(`the sandbox exited (${code}) before printing its URL`)))
  })
  const control = async (method, path, body) => {
    const res = await fetch(url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
    return text ? JSON.parse(text) : null
  }
  return {
    url,
    script: (responses) => control('POST', '/_sandbox/script', { responses }),
    requests: () => control('GET', '/_sandbox/requests'),
    orders: () => control('GET', '/_sandbox/orders'),
    reset: () => control('POST', '/_sandbox/reset'),
    config: (cfg) => control('POST', '/_sandbox/config', cfg),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
