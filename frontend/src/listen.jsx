// The "listen" button of a lesson or a quiz question. The reader itself (speech synthesis, highlighting, speed)
// is loaded on the first tap, so the first screen stays small.
import { useState } from 'preact/hooks'
import { tl } from './learner-text.js'

/** Reads aloud the element with id `target`; `label` names what is read. */
export function Listen({ target, label }) {
  const [Panel, setPanel] = useState(null)
  if (Panel) return <Panel target={target} label={label} />
  const open = () => import('./listen-panel.jsx').then((m) => setPanel(() => m.ListenPanel))
  return (
    <div class="listen" data-no-read>
      <button type="button" class="button secondary listen-start" onClick={open}>
        <span aria-hidden="true">🔊 </span>{label || tl('listen_lesson')}
      </button>
    </div>
  )
}
