// Lagging units on the agency dashboard: the units below from the lowest rate, each with its 12-month trend,
// so a leader sees who falls behind and whether they are catching up. The server ranks and counts.
import { useState } from 'preact/hooks'
import * as api from '../api.js'
import { percent, t } from '../i18n.js'
import { LoadStatus, useLoad } from '../ui.jsx'
import { Sparkline } from '../charts.jsx'
import { tm } from '../managers-text.js'

const monthLabel = (m) => `${Number(m.slice(5))}/${m.slice(0, 4)}`

export function LaggingUnits({ code, year }) {
  // Applied with the button, so moving through a list with the arrow keys does not reload the ranking.
  const [choice, setChoice] = useState({ by: 'goal_rate', depth: 1 })
  const ranking = useLoad(() => api.agencyRanking(code, { year, ...choice }), [code, year, choice.by, choice.depth])
  const rk = ranking.data
  return (
    <section aria-labelledby="lagging-title" data-testid="lagging">
      <h2 id="lagging-title">{tm('lagging_title')}</h2>
      <form class="lagging-controls toolbar" onSubmit={(e) => {
        e.preventDefault()
        const form = new FormData(e.currentTarget)
        setChoice({ by: form.get('by'), depth: Number(form.get('depth')) })
      }}>
        <div>
          <label for="lagging-by">{tm('lagging_by')}</label>
          <select id="lagging-by" name="by">
            <option value="goal_rate">{t('goal_rate')}</option>
            <option value="required_rate">{t('required_rate')}</option>
          </select>
        </div>
        <div>
          <label for="lagging-depth">{tm('lagging_depth')}</label>
          <select id="lagging-depth" name="depth">
            {[1, 2, 3].map((n) => <option key={n} value={n}>{tm('lagging_level', n)}</option>)}
          </select>
        </div>
        <button type="submit" class="button secondary">{tm('lagging_apply')}</button>
      </form>
      <p class="muted">{tm('lagging_note')}</p>
      <LoadStatus result={ranking} />
      {rk && (rk.items.length === 0 ? <p>{tm('lagging_empty')}</p> : (
        <>
          <ol class="lagging-list">
            {rk.items.map((u, i) => (
              <li key={u.code}>
                <span class="lagging-rank" aria-hidden="true">{i + 1}</span>
                <a class="lagging-name" href={`/admin/${encodeURIComponent(u.code)}?year=${rk.year}`}>{u.name}</a>
                <span class="lagging-rate">{percent(u.rate)}</span>
                <Sparkline points={u.trend} label={tm('lagging_trend', u.name, u.trend.map(
                  (p) => `${monthLabel(p.month)} ${p.rate == null ? tm('lagging_no_figure') : percent(p.rate)}`).join(', '))} />
              </li>
            ))}
          </ol>
          {rk.total > rk.items.length && <p class="muted">{tm('lagging_more', rk.items.length)}</p>}
        </>
      ))}
    </section>
  )
}
