// The "listen" button of a lesson or a quiz question. The reader itself (speech synthesis, highlighting, speed)
// is loaded on the first tap, so the first screen stays small.
import { useState } from 'preact/hooks'
import { t } from './i18n.js'
import { loadChunk } from './lazy.jsx'
import { tl } from './learner-text.js'

/** Reads aloud the element with id `target`; `label` names what is read. */
export function Listen({ target, label }) {
  const [Panel, setPanel] = useState(null)
  const [failed, setFailed] = useState(false)
  if (Panel) return <Panel target={target} label={label} />
  // Never a reload by itself here: the person may be halfway through a quiz.
  const open = () => loadChunk(() => import('./listen-panel.jsx'), { reload: false })
    .then((m) => setPanel(() => m.ListenPanel), () => setFailed(true))
  return (
    <div class="listen" data-no-read>
      <button type="button" class="button secondary listen-start" onClick={open}>
        <span aria-hidden="true">🔊 </span>{label || tl('listen_lesson')}
      </button>
      {failed && <p class="notice error" role="alert">{t('chunk_failed')}</p>}
    </div>
  )
}
