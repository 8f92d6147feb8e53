// Charts for the agency screens: sorted horizontal bars whose labels wrap in full (no "Ủy ban nhâ…"), and a
// 12-month sparkline. Each chart is an image with its figures in its accessible name; tables carry the rest.

/** rows: [{label, value (0..1), text}], drawn from the lowest value up so laggards come first. */
export function RankedBars({ label, rows, testid }) {
  const sorted = [...rows].sort((a, b) => (a.value ?? -1) - (b.value ?? -1) || a.label.localeCompare(b.label))
  return (
    <figure class="ranked" role="img" data-testid={testid}
      aria-label={`${label}: ${sorted.map((r) => `${r.label} ${r.text}`).join(', ')}`}>
      {sorted.map((r) => (
        <div class="ranked-row" key={r.label} aria-hidden="true">
          <span class="ranked-label">{r.label}</span>
          <span class="ranked-bar">
            <span class="bar-track"><span class="bar" style={{ width: `${Math.max(0, Math.min(1, r.value || 0)) * 100}%` }} /></span>
            <span class="bar-value">{r.text}</span>
          </span>
        </div>
      ))}
    </figure>
  )
}

/** points: [{month: 'YYYY-MM', rate (0..1) | null}]; a gap where a month has no figure. */
export function Sparkline({ points, label }) {
  const w = 120, h = 32, step = points.length > 1 ? w / (points.length - 1) : w
  const y = (rate) => (h - 2 - rate * (h - 4)).toFixed(1)
  const runs = []
  let run = []
  points.forEach((p, i) => {
    if (p.rate == null) { if (run.length) runs.push(run); run = []; return }
    run.push(`${(i * step).toFixed(1)},${y(p.rate)}`)
  })
  if (run.length) runs.push(run)
  const last = points[points.length - 1]
  return (
    <svg class="sparkline" viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-label={label}>
      <line class="spark-base" x1="0" x2={w} y1={h - 2} y2={h - 2} />
      {runs.map((r) => r.length === 1
        ? <circle key={r[0]} class="spark-dot" cx={r[0].split(',')[0]} cy={r[0].split(',')[1]} r="2" />
        : <polyline key={r[0]} class="spark-line" points={r.join(' ')} />)}
      {last?.rate != null && <circle class="spark-end" cx={w} cy={y(last.rate)} r="3" />}
    </svg>
  )
}
