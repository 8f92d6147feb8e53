// A module: what it teaches, its lessons (with what the person has read), the quiz, and "save for offline".
import { useState } from 'preact/hooks'
import * as api from '../api.js'
import { t } from '../i18n.js'
import { useAppState } from '../state.js'
import { useLessonsDone } from '../hooks/lessons-done.js'
import { LoadingHeading, LoadStatus, NotSaved, useLoad } from '../ui.jsx'

export function ModulePage({ slug }) {
  const s = useAppState()
  const mod = useLoad(() => api.module(slug), [slug])
  const saved = useLoad(api.savedModules, [slug])
  const last = useLoad(() => api.latestResult(slug), [slug, s.lastSync])
  const { done, status } = useLessonsDone(slug)
  const [saving, setSaving] = useState(false)
  const [saveError, setSaveError] = useState(null)
  const m = mod.data
  if (!m) return <><p><a class="back" href="/learn">← {t('nav_learn')}</a></p><LoadingHeading result={mod} /><NotSaved result={mod} /></>
  const isSaved = (saved.data || []).some((x) => x.slug === slug)
  const unread = m.lessons.find((l) => !done.has(l.id))
  const completed = status?.status === 'completed'
  // What the main button offers: go on reading, the quiz once every lesson is read, or a review when completed.
  const [nextHref, nextLabel] = completed ? [`/m/${slug}/l/${m.lessons[0].id}`, t('review')]
    : unread ? [`/m/${slug}/l/${unread.id}`, done.size ? t('cont') : t('start')]
      : [`/m/${slug}/quiz`, t('take_quiz')]
  const waiting = s.pending.some((i) => i.kind === 'attempt' && i.module === slug)
  async function toggleSaved() {
    setSaving(true)
    setSaveError(null)
    try {
      if (isSaved) await api.forgetOffline(slug)
      else await api.saveForOffline(slug)
      saved.reload()
    } catch (error) {
      setSaveError(error instanceof api.Offline ? t('not_available_offline') : error.message)
    } finally {
      setSaving(false)
    }
  }
  return (
    <>
      <p><a class="back" href="/learn">← {t('nav_learn')}</a></p>
      <h1 tabIndex={-1}>{m.title}</h1>
      <LoadStatus result={mod} />
      <p class="lead">{m.summary}</p>
      <p class="meta">
        <span>{t('minutes', m.minutes)}</span><span>{t('level')[m.level] || m.level}</span>
        {status && <span class={`badge ${status.status}`} data-testid="module-status">{t('status')[status.status]}</span>}
      </p>
      <p class="actions">
        <a class="button" href={nextHref}>{nextLabel}</a>
        <button type="button" class="button secondary" onClick={toggleSaved} disabled={saving} aria-pressed={isSaved}>
          {saving ? t('saving') : isSaved ? `✓ ${t('saved_offline')}` : t('save_offline')}
        </button>
      </p>
      {saveError && <p class="notice error" role="alert">{saveError}</p>}
      <h2>{t('lessons')}</h2>
      <ol class="lesson-list">
        {m.lessons.map((l) => (
          <li key={l.id}>
            <a href={`/m/${slug}/l/${l.id}`}>{l.title}</a>
            {done.has(l.id) && <span class="tick"> ✓ <span class="visually-hidden">{t('lesson_done')}</span></span>}
          </li>
        ))}
      </ol>
      <h2>{t('quiz')}</h2>
      <p>{t('quiz_intro', m.quiz.questions.length, Math.round(m.quiz.pass_score * 100))}</p>
      {waiting && <p class="notice pending">{t('queued_attempt')}</p>}
      {last.data?.result && (
        <p data-testid="last-result">{t('last_result')}: {t('score', Math.round(last.data.result.score * 100))} – {last.data.result.passed ? t('passed') : t('failed')}</p>
      )}
      <p><a class="button" href={`/m/${slug}/quiz`}>{t('take_quiz')}</a></p>
      {m.sources && m.sources.length > 0 && (
        <details class="sources">
          <summary>{t('sources')}</summary>
          {/* Sources are Vietnamese documents: screen readers read them with a Vietnamese voice in either language. */}
          <ul lang="vi">{m.sources.map((src) => <li key={src.title}>{src.url ? <a href={src.url} target="_blank" rel="noopener noreferrer">{src.title}</a> : src.title}{src.publisher ? ` – ${src.publisher}` : ''}</li>)}</ul>
        </details>
      )}
    </>
  )
}
