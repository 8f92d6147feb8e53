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
