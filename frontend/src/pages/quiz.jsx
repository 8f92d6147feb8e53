// The quiz. Answers are queued with an event_id and graded by the server (the answer key never reaches the
// phone before an attempt): at once when online, when the network returns otherwise. Answers not yet submitted
// are kept for the tab's life, so a person can go back and re-read a lesson without losing them.
import { useEffect, useState } from 'preact/hooks'
import * as api from '../api.js'
import { useDraw } from '../lib/draw.js'
import { t } from '../i18n.js'
import { useAppState } from '../state.js'
import { queue } from '../sync.js'
import { LoadingHeading, useLoad } from '../ui.jsx'
import { NotSaved } from './module.jsx'

const draftKey = (userId, slug) => `hocso.quiz.${userId}.${slug}`

function readDraft(userId, slug, version) {
  try {
    const draft = JSON.parse(sessionStorage.getItem(draftKey(userId, slug)) || 'null')
    return draft && draft.version === version ? draft.answers : {}
  } catch {
    return {}
  }
}

function writeDraft(userId, slug, version, answers) {
  try {
    if (answers) sessionStorage.setItem(draftKey(userId, slug), JSON.stringify({ version, answers }))
    else sessionStorage.removeItem(draftKey(userId, slug))
  } catch {
    // Storage full or blocked: the answers stay on the page only.
  }
}

const focusSoon = (id) => requestAnimationFrame(() => document.getElementById(id)?.focus())

function Feedback({ questions, outcome }) {
  const { result, answers } = outcome
  const byId = Object.fromEntries(result.results.map((r) => [r.question_id, r]))
  const texts = (q, ids) => q.choices.filter((c) => (ids || []).includes(c.id)).map((c) => c.text)
  return (
    <section aria-labelledby="result-title" class={`result ${result.passed ? 'passed' : 'failed'}`}>
      <h2 id="result-title" tabIndex={-1}>{t('score', Math.round(result.score * 100))}</h2>
      <p data-testid="verdict">{result.passed ? t('passed') : t('failed')}</p>
      <ol class="feedback">
        {questions.map((q) => {
          const r = byId[q.id]
          if (!r) return null
          const picked = texts(q, answers?.[q.id])
          // The server names the right answer only once it is earned (a right answer, or the module passed).
          const right = texts(q, r.correct_choice_ids)
          return (
            <li key={q.id} class={r.correct ? 'right' : 'wrong'} data-testid="feedback">
              <p class="prompt">{q.prompt}</p>
              <p><strong>{r.correct ? `✓ ${t('right')}` : `✗ ${t('wrong')}`}</strong></p>
              <p class="picked">{t('your_answer')} {picked.length ? picked.join('; ') : t('no_answer')}</p>
              {!r.correct && <p class="key">{right.length ? `${t('correct_answer')} ${right.join('; ')}` : t('key_after_pass')}</p>}
              {r.explanation && <p class="explanation">{r.explanation}</p>}
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
  const [answers, setAnswersState] = useState(null) // null until the draft is read
  const [outcome, setOutcome] = useState(null) // {result, answers} graded, or {queued: event_id, answers}
  const [problem, setProblem] = useState(null)
  const [missing, setMissing] = useState([])
  const [busy, setBusy] = useState(false)
  const draw = useDraw(slug, mod.data)
  const m = mod.data
  const userId = s.me?.id
  const version = m?.version
  useEffect(() => {
    if (userId && version) setAnswersState(readDraft(userId, slug, version))
  }, [userId, slug, version])
  // An attempt queued offline is graded when the network returns: show its score here as soon as it is.
  useEffect(() => {
    if (!outcome?.queued) return
    let live = true
    api.latestResult(slug).then((graded) => {
      if (!live || !graded || graded.event_id !== outcome.queued) return
      if (graded.result) {
        setOutcome({ ...outcome, queued: null, result: graded.result })
        focusSoon('result-title')
      } else if (graded.error) {
        setOutcome(null)
        setProblem(graded.error)
      }
    })
    return () => { live = false }
  }, [outcome, s.lastSync, s.pending.length])
  if (!m) return <><LoadingHeading result={mod} /><NotSaved result={mod} /></>
  const questions = draw.questions
  const chosen = answers || {}
  function setAnswers(next) {
    setAnswersState(next)
    writeDraft(userId, slug, version, next)
  }
  function choose(q, choiceId, checked) {
    const current = chosen[q.id] || []
    const next = q.multiple ? (checked ? [...current, choiceId] : current.filter((c) => c !== choiceId)) : [choiceId]
    setAnswers({ ...chosen, [q.id]: next })
    if (missing.includes(q.id)) setMissing(missing.filter((id) => id !== q.id))
  }
  async function submit(event) {
    event.preventDefault()
    const unanswered = questions.filter((q) => !(chosen[q.id] || []).length)
    if (unanswered.length) {
      setMissing(unanswered.map((q) => q.id))
      setProblem(t('answer_missing', unanswered.map((q) => questions.indexOf(q) + 1)))
      // Take the person to the first question still to answer.
      document.querySelector(`input[name="${CSS.escape(unanswered[0].id)}"]`)?.focus()
      return
    }
    setProblem(null)
    setMissing([])
    setBusy(true)
    const sent = Object.fromEntries(questions.map((q) => [q.id, chosen[q.id]]))
    try {
      const { entry, synced } = await queue({ kind: 'attempt', module: slug, answers: sent, version: m.version, lang: s.lang })
      writeDraft(userId, slug, version, null)
      await synced
      const graded = (await api.latestResult(slug))
      if (graded && graded.event_id === entry.event_id && graded.result) setOutcome({ result: graded.result, answers: sent, questions })
      else if (graded && graded.event_id === entry.event_id) setProblem(graded.error)
      else setOutcome({ queued: entry.event_id, answers: sent, questions })
      if (!(graded && graded.event_id === entry.event_id && !graded.result)) draw.next() // the next attempt draws anew
    } finally {
      setBusy(false)
    }
    focusSoon('result-title')
  }
  function tryAgain() {
    setOutcome(null)
    setAnswers({})
    focusSoon('quiz-title')
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
      <h1 tabIndex={-1} id="quiz-title">{t('quiz')}</h1>
      {outcome?.result && <Feedback questions={outcome.questions} outcome={outcome} />}
      {outcome?.queued && <p class="notice pending" role="status" id="result-title" tabIndex={-1}>{t('queued_attempt')}</p>}
      {outcome ? (
        <p class="actions">
          <a class="button" href={`/m/${slug}`}>{t('back_to_module')}</a>
          {outcome.result && !outcome.result.passed && (
            <button type="button" class="button secondary" onClick={tryAgain}>{t('try_again')}</button>
          )}
        </p>
      ) : (
        <form onSubmit={submit} noValidate>
          <p>{t('quiz_intro', questions.length, Math.round(m.quiz.pass_score * 100))}</p>
          {questions.map((q, n) => (
            <fieldset key={q.id} class={missing.includes(q.id) ? 'question missing' : 'question'} id={`question-${q.id}`}>
              <legend><span class="qnum">{n + 1}.</span> {q.prompt}</legend>
              <p class="hint" id={`hint-${q.id}`}>{q.multiple ? t('choose_many') : t('choose_one')}</p>
              {q.choices.map((c) => (
                <label key={c.id} class="choice">
                  <input type={q.multiple ? 'checkbox' : 'radio'} name={q.id} value={c.id} aria-describedby={`hint-${q.id}`}
                    checked={(chosen[q.id] || []).includes(c.id)} onChange={(e) => choose(q, c.id, e.currentTarget.checked)} />
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
