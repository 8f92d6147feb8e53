// Read-aloud controls: pause and resume, stop, speed (remembered), which sentence is being read; or, when the
// phone has no voice for the content's language, how to install one (never a foreign voice).
import { useEffect, useRef, useState } from 'preact/hooks'
import { tl } from './learner-text.js'
import { state } from './state.js'
import { createReader, SPEECH_LANG, sentences, supported, voicesFor } from './lib/speech.js'

const RATES = [['speed_slow', 0.75], ['speed_normal', 1], ['speed_fast', 1.25]]
const RATE_KEY = 'hocso.speechRate'

function savedRate() {
  try {
    const rate = Number(localStorage.getItem(RATE_KEY))
    return RATES.some(([, r]) => r === rate) ? rate : 1
  } catch {
    return 1
  }
}

function NoVoice({ lang }) {
  return (
    <div class="notice" role="alert" data-testid="no-voice" tabIndex={-1}>
      <p>{lang === 'vi' ? tl('no_voice') : tl('no_voice_en')}</p>
      <ul>
        <li>{tl('voice_android')}</li>
        <li>{tl('voice_iphone')}</li>
      </ul>
      <p>{tl('voice_after')}</p>
    </div>
  )
}

export function ListenPanel({ target, label }) {
  const [status, setStatus] = useState({ phase: 'starting' })
  const [rate, setRate] = useState(savedRate)
  const reader = useRef(null)
  const lang = state.lang
  const id = `listen-${target}`
  useEffect(() => {
    let live = true
    if (!supported()) {
      setStatus({ phase: 'unsupported' })
      return undefined
    }
    voicesFor(SPEECH_LANG[lang]).then((voices) => {
      if (!live) return
      if (!voices.length) {
        setStatus({ phase: 'no-voice' })
        return
      }
      const root = document.getElementById(target)
      reader.current = createReader({
        items: root ? sentences(root) : [], lang: SPEECH_LANG[lang], voice: voices[0], rate,
        onChange: (s) => live && setStatus({ phase: 'reading', ...s }),
      })
      reader.current.play(0)
    })
    return () => {
      live = false
      reader.current?.stop()
    }
  }, [target, lang])
  // The controls (or the message) take the place of the "listen" button: keep the keyboard where the person was.
  const panel = useRef(null)
  useEffect(() => { panel.current?.querySelector('button:not([disabled]), [tabindex="-1"]')?.focus() }, [status.phase])

  function chooseRate(next) {
    setRate(next)
    try {
      localStorage.setItem(RATE_KEY, String(next))
    } catch {
      // Storage blocked: this speed holds until the page is left.
    }
    reader.current?.setRate(next)
  }

  if (status.phase === 'unsupported') {
    return <div class="listen" data-no-read ref={panel}><p class="notice" role="alert" tabIndex={-1}>{tl('no_speech')}</p></div>
  }
  if (status.phase === 'no-voice') return <div class="listen" data-no-read ref={panel}><NoVoice lang={lang} /></div>
  const r = reader.current
  const n = status.total || 0
  const at = Math.min((status.index || 0) + 1, n)
  let line = ''
  if (status.error) line = tl('speech_failed')
  else if (status.done) line = tl('read_done')
  else if (status.stopped) line = ''
  else if (status.phase === 'reading') line = status.playing ? tl('reading_n', at, n) : tl('paused_n', at, n)
  return (
    <div class="listen listen-panel" data-no-read ref={panel} role="group" aria-label={label || tl('listen_lesson')}>
      <p class="actions">
        {status.playing
          ? <button type="button" class="button" onClick={() => r.pause()}><span aria-hidden="true">⏸ </span>{tl('pause')}</button>
          : <button type="button" class="button" disabled={!r} onClick={() => r.play(status.done ? 0 : r.index)}>
            <span aria-hidden="true">▶ </span>{status.done || status.error || status.stopped ? tl('replay') : tl('resume')}</button>}
        <button type="button" class="button secondary" disabled={!r} onClick={() => r.stop()}><span aria-hidden="true">■ </span>{tl('stop')}</button>
      </p>
      <fieldset class="speed">
        <legend>{tl('speed')}</legend>
        {RATES.map(([key, value]) => (
          <label key={key} class="speed-choice">
            <input type="radio" name={`${id}-rate`} value={value} checked={rate === value} onChange={() => chooseRate(value)} />
            <span>{tl(key)}</span>
          </label>
        ))}
      </fieldset>
      <p class="muted listen-line" data-testid="listen-status">{line}</p>
    </div>
  )
}
