// One autocannon run for bench/throughput.py: reads a JSON job from argv[2], prints the result as one JSON line.
//
// Job: {url, connections, duration, method, path, headers, tokens?, body?: "progress" | "attempt", module?,
//       lessons?, answers?}. With tokens, each connection signs in as one of them (round robin), as phones do.
// Bodies of writes are made per request with fresh UUIDs: the server is idempotent by event_id, and a replayed
// id would measure the "already stored" path instead of a new event.
'use strict'

const autocannon = require('autocannon')
const { randomUUID } = require('node:crypto')

const job = JSON.parse(process.argv[2])
let nextToken = 0

function body () {
  const now = new Date().toISOString()
  if (job.body === 'progress') {
    const events = []
    for (let i = 0; i < 10; i++) {
      const lesson = job.lessons[i % job.lessons.length]
      events.push({ event_id: randomUUID(), type: 'lesson_completed', module: job.module, lesson, occurred_at: now })
    }
    return JSON.stringify({ events })
  }
  if (job.body === 'attempt') {
    return JSON.stringify({ event_id: randomUUID(), answers: job.answers, occurred_at: now })
  }
  return undefined
}

const request = {
  method: job.method || 'GET',
  path: job.path,
  setupRequest (req, context) {
    const headers = { ...job.headers }
    if (job.tokens) {
      if (!context.token) context.token = job.tokens[nextToken++ % job.tokens.length]
      headers.authorization = `Bearer ${context.token}`
    }
    const out = { ...req, headers }
    if (job.body) {
      out.body = body()
      headers['content-type'] = 'application/json'
    }
    return out
  }
}

autocannon(
  { url: job.url, connections: job.connections, duration: job.duration, requests: [request], timeout: 30 },
  (err, result) => {
    if (err) {
      console.error(err)
      process.exit(1)
    }
    const statusCodes = result.statusCodeStats || {}
    console.log(JSON.stringify({
      rps: result.requests.average,
      total: result.requests.total,
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      status: Object.fromEntries(Object.entries(statusCodes).map(([code, s]) => [code, s.count]))
    }))
  }
)
