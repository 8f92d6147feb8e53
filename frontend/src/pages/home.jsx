// Home: this year's goal and what to learn next (required modules first, with due dates), saved modules; offline,
// the saved modules come first and the others say they need the network.
import * as api from '../api.js'
import { formatDate, t } from '../i18n.js'
import { useProgress } from '../lib/progress.js'
import { useAppState } from '../state.js'
import { LoadStatus, ModuleCard, useLoad } from '../ui.jsx'

function Goal({ progress }) {
  const { goal, year } = progress
  return (
    <section class={`goal ${goal.met ? 'met' : ''}`} aria-labelledby="goal-title">
      <h2 id="goal-title">{t('goal_title', year)}</h2>
      <p class="goal-count" data-testid="goal">{t('goal_count', goal.new_skills, goal.target)}</p>
      <p>{goal.met ? t('goal_met') : t('goal_todo')}</p>
    </section>
  )
}

export function Home() {
  const s = useAppState()
  const catalogue = useLoad(api.modules, [])
  const progress = useProgress()
  const saved = useLoad(api.savedModules, [])
  const list = catalogue.data || []
  const bySlug = Object.fromEntries(list.map((m) => [m.slug, m]))
  const p = progress.data
  const status = Object.fromEntries((p?.modules || []).map((m) => [m.slug, m.status]))
  const required = (p?.required || []).filter((r) => bySlug[r.slug])
  const inProgress = list.filter((m) => status[m.slug] === 'in_progress' && !required.some((r) => r.slug === m.slug))
  const savedList = saved.data || []
  const savedSlugs = new Set(savedList.map((m) => m.slug))
  const offline = !s.online || catalogue.stale || catalogue.error instanceof api.Offline
  const unavailable = (slug) => offline && !savedSlugs.has(slug)
  const suggested = list.filter((m) => !status[m.slug] || status[m.slug] === 'not_started')
    .filter((m) => !required.some((r) => r.slug === m.slug) && (s.me?.agency || m.audience.includes('citizen'))).slice(0, 4)
  return (
    <>
      {s.me ? <h1 tabIndex={-1}>{t('hello', s.me.full_name)}</h1> : (
        <section class="hero">
          <h1 tabIndex={-1}>{t('intro_title')}</h1>
          <p>{t('intro')}</p>
          <p class="actions">
            <a class="button" href="/learn">{t('start_learning')}</a>
            <a class="button secondary" href="/signup">{t('create_account')}</a>
          </p>
        </section>
      )}
      {offline && <Saved list={savedList} lang={s.lang} />}
      {p && <Goal progress={p} />}
      {required.length > 0 && (
        <section aria-labelledby="required-title">
          <h2 id="required-title">{t('required_title')}</h2>
          <ul class="cards">
            {required.map((r) => (
              <ModuleCard key={r.slug} module={bySlug[r.slug]} status={r.status} due={t('due', formatDate(r.due_date))} unavailable={unavailable(r.slug)}
                overdue={r.overdue} />
            ))}
          </ul>
        </section>
      )}
      {inProgress.length > 0 && (
        <section aria-labelledby="continue-title">
          <h2 id="continue-title">{t('continue_title')}</h2>
          <ul class="cards">{inProgress.map((m) => <ModuleCard key={m.slug} module={m} status="in_progress" unavailable={unavailable(m.slug)} />)}</ul>
        </section>
      )}
      <section aria-labelledby="next-title">
        <h2 id="next-title">{t('next_title')}</h2>
        {catalogue.error instanceof api.Offline ? <p class="muted">{t('offline_catalogue')}</p> : <LoadStatus result={catalogue} />}
        <ul class="cards">{suggested.map((m) => <ModuleCard key={m.slug} module={m} unavailable={unavailable(m.slug)} />)}</ul>
        <p><a class="more" href="/learn">{t('all_modules')} →</a></p>
      </section>
      {!offline && <Saved list={savedList} lang={s.lang} />}
    </>
  )
}

function Saved({ list, lang }) {
  if (!list.length) return null
  return (
    <section aria-labelledby="saved-title">
      <h2 id="saved-title">{t('saved_title')}</h2>
      <ul class="plain" data-testid="saved">
        {list.map((m) => <li key={m.slug}><a href={`/m/${m.slug}`}>{m.title[lang] || m.title.vi}</a></li>)}
      </ul>
    </section>
  )
}
