// The lesson reader: large text, rendered safely, and "done" queued as a progress event (works offline).
import * as api from '../api.js'
import { t } from '../i18n.js'
import { markdown } from '../markdown.js'
import { navigate, useAppState } from '../state.js'
import { queue } from '../sync.js'
import { useLessonsDone } from '../hooks/lessons-done.js'
import { Listen } from '../listen.jsx'
import { LoadingHeading, LoadStatus, NotSaved, useLoad } from '../ui.jsx'

export function Lesson({ slug, lesson }) {
  const s = useAppState()
  const mod = useLoad(() => api.module(slug), [slug])
  const { done } = useLessonsDone(slug)
  const m = mod.data
  if (!m) return <><LoadingHeading result={mod} /><NotSaved result={mod} /></>
  const index = m.lessons.findIndex((l) => l.id === lesson)
  if (index < 0) return <><h1 tabIndex={-1}>{t('not_found')}</h1><p><a class="back" href={`/m/${slug}`}>{t('back_to_module')}</a></p></>
  const current = m.lessons[index]
  const next = m.lessons[index + 1]
  async function finish() {
    if (s.me && !done.has(current.id)) await queue({ kind: 'lesson', module: slug, lesson: current.id })
    navigate(next ? `/m/${slug}/l/${next.id}` : `/m/${slug}/quiz`)
  }
  return (
    <article class="lesson">
      <p class="crumbs"><a href={`/m/${slug}`}>{m.title}</a> · <span>{t('lesson_n', index + 1, m.lessons.length)}</span></p>
      <div id="lesson-text">
        <h1 tabIndex={-1}>{current.title}</h1>
        <LoadStatus result={mod} />
        <Listen target="lesson-text" key={current.id} />
        <div class="prose">{markdown(current.body, { slug, images: m.images })}</div>
      </div>
      {!s.me && <p class="notice"><a href="/signin">{t('sign_in_to_save')}</a></p>}
      <p class="actions lesson-actions">
        <button type="button" class="button" onClick={finish}>{next ? t('done_next') : t('done_quiz')}</button>
        {index > 0 && <a class="button secondary" href={`/m/${slug}/l/${m.lessons[index - 1].id}`}>{t('previous')}</a>}
      </p>
    </article>
  )
}
