// The quiz. Answers are queued with an event_id and graded by the server (the answer key never reaches the
// phone before an attempt): at once when online, when the network returns otherwise.
import { useState } from 'preact/hooks'
import * as api from '../api.js'
import { useDraw } from '../lib/draw.js'
import { t } from '../i18n.js'
import { useAppState } from '../state.js'
import { queue } from '../sync.js'
import { LoadStatus, useLoad } from '../ui.jsx'

function Feedback({ quiz, outcome }) {
  const { result } = outcome
  const byId = Object.fromEntries(result.results.map((r) => [r.question_id, r]))
  return (
    <section aria-labelledby="result-title" class={`result ${result.passed ? 'passed' : 'failed'}`}>
      <h2 id="result-title" tabIndex={-1}>{t('score', Math.round(result.score * 100))}</h2>
      <p data-testid="verdict">{result.passed ? t('passed') : t('failed')}</p>
      <ol class="feedback">
        {quiz.questions.map((q) => {
          const r = byId[q.id]
          if (!r) return null
          // The server names the right answer only once it is earned (a right answer, or the module passed).
          const right = q.choices.filter((c) => (r.correct_choice_ids || []).includes(c.id)).map((c) => c.text)
          return (
            <li key={q.id} class={r.correct ? 'right' : 'wrong'}>
              <p class="prompt">{q.prompt}</p>
              <p><strong>{r.correct ? `✓ ${t('right')}` : `✗ ${t('wrong')}`}</strong></p>
              {!r.correct && <p>{right.length ? `${t('correct_answer')} ${right.join('; ')}` : t('key_after_pass')}</p>}
              <p class="explanation">{r.explanation}</p>
            </li>
          )
        })}
      </ol>
    </section>
  )
}

export function Quiz({ slug }) {
  const s = useAppState()
  const mod = useLoad(() => api.module(slug), [slug])
  const [answers, setAnswers] = useState({})
  const [outcome, setOutcome] = useState(null) // {result} graded, or {queued: true}
  const [problem, setProblem] = useState(null)
  const [busy, setBusy] = useState(false)
  const draw = useDraw(slug, mod.data)
  const m = mod.data
  if (!m) return <><h1 tabIndex={-1}>{t('loading')}</h1><LoadStatus result={mod} /></>
  const questions = draw.questions
  function choose(q, choiceId, checked) {
    const current = answers[q.id] || []
    const next = q.multiple ? (checked ? [...current, choiceId] : current.filter((c) => c !== choiceId)) : [choiceId]
    setAnswers({ ...answers, [q.id]: next })
  }
  async function submit(event) {
    event.preventDefault()
    if (questions.some((q) => !(answers[q.id] || []).length)) {
      setProblem(t('answer_all'))
      return
    }
    setProblem(null)
    setBusy(true)
    try {
      const drawn = Object.fromEntries(questions.map((q) => [q.id, answers[q.id]]))
      const { entry, synced } = await queue({ kind: 'attempt', module: slug, answers: drawn, version: m.version, lang: s.lang })
      await synced
      const graded = (await api.latestResult(slug))
      if (graded && graded.event_id === entry.event_id && graded.result) setOutcome({ result: graded.result })
      else if (graded && graded.event_id === entry.event_id) setProblem(graded.error)
      else setOutcome({ queued: true })
      if (!(graded && graded.event_id === entry.event_id && !graded.result)) draw.next() // the next attempt draws anew
    } finally {
      setBusy(false)
    }
    requestAnimationFrame(() => document.getElementById('result-title')?.focus())
  }
  if (!s.me) {
    return (
      <>
        <h1 tabIndex={-1}>{t('quiz')}: {m.title}</h1>
        <p class="notice"><a href={`/signin?next=/m/${slug}/quiz`}>{t('sign_in_to_save')}</a></p>
      </>
    )
  }
  return (
    <>
      <p class="crumbs"><a href={`/m/${slug}`}>{m.title}</a></p>
      <h1 tabIndex={-1}>{t('quiz')}</h1>
      <LoadStatus result={mod} />
      {outcome?.result && <Feedback quiz={m.quiz} outcome={outcome} />}
      {outcome?.queued && <p class="notice pending" role="status" id="result-title" tabIndex={-1}>{t('queued_attempt')}</p>}
      {outcome ? (
        <p class="actions">
          <a class="button" href={`/m/${slug}`}>{t('back_to_module')}</a>
          {outcome.result && !outcome.result.passed && (
            <button type="button" class="button secondary" onClick={() => { setOutcome(null); setAnswers({}) }}>{t('try_again')}</button>
          )}
        </p>
      ) : (
        <form onSubmit={submit} noValidate>
          <p>{t('quiz_intro', questions.length, Math.round(m.quiz.pass_score * 100))}</p>
          {questions.map((q, n) => (
            <fieldset key={q.id} class="question">
              <legend><span class="qnum">{n + 1}.</span> {q.prompt}</legend>
              <p class="hint" id={`hint-${q.id}`}>{q.multiple ? t('choose_many') : t('choose_one')}</p>
              {q.choices.map((c) => (
                <label key={c.id} class="choice">
                  <input type={q.multiple ? 'checkbox' : 'radio'} name={q.id} value={c.id} aria-describedby={`hint-${q.id}`}
                    checked={(answers[q.id] || []).includes(c.id)} onChange={(e) => choose(q, c.id, e.currentTarget.checked)} />
                  <span>{c.text}</span>
                </label>
              ))}
            </fieldset>
          ))}
          {problem && <p class="notice error" role="alert">{problem}</p>}
          <p><button type="submit" class="button" disabled={busy}>{busy ? t('syncing') : t('submit_answers')}</button></p>
        </form>
      )}
    </>
  )
}
