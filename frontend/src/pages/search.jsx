// Search across modules (title, summary, lessons), accents ignored: the server online, the device offline.
import * as api from '../api.js'
import { t } from '../i18n.js'
import { useAppState } from '../state.js'
import { LoadStatus, SearchForm, useLoad } from '../ui.jsx'


export function Search() {
  const s = useAppState()
  const q = (s.query.get('q') || '').trim()
  // Searching again for the same words searches again (the network may have come or gone): s.query is new each time.
  const results = useLoad(() => (q.length >= 2 ? api.search(q) : Promise.resolve(null)), [q, s.query])
  const found = results.data
  return (
    <>
      <h1 tabIndex={-1}>{q ? t('search_results', q) : t('search')}</h1>
      <SearchForm initial={q} key={q} />
      {q.length === 1 && <p class="notice">{t('search_too_short')}</p>}
      <LoadStatus result={results} />
      {found?.offline && <p class="notice" role="status">{t('search_offline')}</p>}
      {found && (found.hits.length ? <p role="status">{t('search_count', found.hits.length)}</p> : <p role="status">{t('search_none')}</p>)}
      {found && found.hits.length > 0 && (
        <ul class="cards search-results">
          {found.hits.map((hit) => (
            <li key={hit.slug} class={hit.unavailable ? 'card unavailable' : 'card'} data-testid="search-hit">
              <a class="card-link" href={`/m/${hit.slug}`}><span class="card-title">{hit.title}</span></a>
              {hit.unavailable && <p class="badge offline-badge">{t('not_saved_badge')}</p>}
              <p class="card-summary">{hit.summary}</p>
              {hit.lessons.length > 0 && (
                <ul class="hit-lessons" aria-label={t('lessons')}>
                  {hit.lessons.map((l) => (
                    <li key={l.id}>
                      <a href={`/m/${hit.slug}/l/${l.id}`}>{l.title}</a>
                      <p class="snippet">{l.snippet}</p>
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  )
}
