// Topics: a search box, then each area as a card that opens to its modules (the whole catalogue open at once
// was a 6,600 px page on a phone); /learn/<area> shows one area's modules.
import * as api from '../api.js'
import { t } from '../i18n.js'
import { useProgress } from '../lib/progress.js'
import { useAppState } from '../state.js'
import { LoadStatus, ModuleCard, SearchForm, useLoad } from '../ui.jsx'

export function Learn({ area }) {
  const s = useAppState()
  const areas = useLoad(api.areas, [])
  const modules = useLoad(api.modules, [])
  const progress = useProgress()
  const saved = useLoad(api.savedModules, [])
  const status = Object.fromEntries((progress.data?.modules || []).map((m) => [m.slug, m.status]))
  const savedSlugs = new Set((saved.data || []).map((m) => m.slug))
  // Offline, what is not saved is marked as needing the network rather than failing when opened.
  const offline = !s.online || modules.stale || areas.stale
  const failed = areas.error || modules.error
  const shown = (areas.data || []).filter((a) => !area || a.slug === area)
  const cards = (a) => (
    <ul class="cards">
      {(modules.data || []).filter((m) => m.area === a.slug).map((m) => <ModuleCard key={m.slug} module={m} status={status[m.slug]} unavailable={offline && !savedSlugs.has(m.slug)} />)}
    </ul>
  )
  return (
    <>
      <h1 tabIndex={-1}>{area && shown[0] ? shown[0].title : t('areas_title')}</h1>
      {!area && <SearchForm />}
      {failed instanceof api.Offline ? <p class="notice" role="status">{t('offline_catalogue')}</p> : <LoadStatus result={areas.error ? areas : modules} />}
      {failed instanceof api.Offline && saved.data?.length > 0 && (
        <ul class="plain" aria-label={t('saved_title')}>
          {saved.data.map((m) => <li key={m.slug}><a href={`/m/${m.slug}`}>{m.title[s.lang] || m.title.vi}</a></li>)}
        </ul>
      )}
      {area && <p><a class="back" href="/learn">← {t('areas_title')}</a></p>}
      {area ? shown.map((a) => (
        <section key={a.slug} aria-labelledby={`area-${a.slug}`}>
          <p id={`area-${a.slug}`}>{a.description}</p>
          {cards(a)}
        </section>
      )) : shown.map((a) => {
        const inArea = (modules.data || []).filter((m) => m.area === a.slug)
        const done = inArea.filter((m) => status[m.slug] === 'completed').length
        return (
          <section key={a.slug} class="topic" aria-labelledby={`area-${a.slug}`}>
            <h2 id={`area-${a.slug}`}><a href={`/learn/${a.slug}`}>{a.title}</a></h2>
            <p class="topic-description">{a.description}</p>
            {s.me && inArea.length > 0 && <p class="meta"><span>{t('topic_done', done, inArea.length)}</span></p>}
            <details class="topic-modules">
              <summary>{t('topic_modules', inArea.length)}</summary>
              {cards(a)}
            </details>
          </section>
        )
      })}
    </>
  )
}
