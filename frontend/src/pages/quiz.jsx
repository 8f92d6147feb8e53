// The quiz. Answers are queued with an event_id and graded by the server (the answer key never reaches the
// phone before an attempt): at once when online, when the network returns otherwise. Phones show one question
// per screen ("Câu 3/8"), wider screens all of them. The answers and the question reached are kept for the
// tab's life per draw (lib/quiz-draft.js), so a person can go back and re-read a lesson without losing them.
import { useEffect, useState } from 'preact/hooks'
import * as api from '../api.js'
import { useDraw } from '../lib/draw.js'
import { readDraft, writeDraft } from '../lib/quiz-draft.js'
import { t } from '../i18n.js'
import { useAppState } from '../state.js'
import { queue } from '../sync.js'
import { LoadingHeading, NotSaved, useLoad } from '../ui.jsx'
import { QuestionFeedback, QuestionFields, StepButtons, StepCount, useWideScreen } from '../components/quiz-parts.jsx'

const focusSoon = (id) => requestAnimationFrame(() => document.getElementById(id)?.focus())

/** The score, and each question's own feedback: all of them on a wide screen, one per screen on a phone. */
function Result({ outcome, wide }) {
  const { result, answers, questions } = outcome
  const [step, setStep] = useState(0)
  const byId = Object.fromEntries(result.results.map((r) => [r.question_id, r]))
  const graded = questions.filter((q) => byId[q.id])
  const shown = graded[Math.min(step, graded.length - 1)]
  function go(n) {
    setStep(n)
    focusSoon('feedback-step')
  }
  return (
    <section aria-labelledby="result-title" class={`result ${result.passed ? 'passed' : 'failed'}`}>
      <h2 id="result-title" tabIndex={-1}>{t('score', Math.round(result.score * 100))}</h2>
      <p data-testid="verdict">{result.passed ? t('passed') : t('failed')}</p>
      {wide ? (
        <ol class="feedback">
          {graded.map((q) => <QuestionFeedback key={q.id} q={q} result={byId[q.id]} picked={answers?.[q.id]} />)}
        </ol>
      ) : shown && (
        <div class="feedback-step" id="feedback-step" tabIndex={-1}>
          <StepCount step={step} total={graded.length} />
          <QuestionFeedback q={shown} result={byId[shown.id]} picked={answers?.[shown.id]} as="div" />
          <StepButtons step={step} total={graded.length} onStep={go} />
        </div>
      )}
    </section>
  )
}

export function Quiz({ slug }) {
  const s = useAppState()
  const mod = useLoad(() => api.module(slug), [slug])
  const [draft, setDraftState] = useState(null) // {answers, step}; null until read
  const [outcome, setOutcome] = useState(null) // {result, answers, questions} graded, or {queued: event_id, ...}
  const [problem, setProblem] = useState(null)
  const [missing, setMissing] = useState([])
  const [busy, setBusy] = useState(false)
  const wide = useWideScreen()
  const draw = useDraw(slug, mod.data)
  const m = mod.data
  const userId = s.me?.id
  const version = m?.version
  useEffect(() => {
    if (userId && version && draw.seed) setDraftState(readDraft(userId, slug, version, draw.seed))
  }, [userId, slug, version, draw.seed])
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
  const chosen = draft?.answers || {}
  const step = Math.min(draft?.step || 0, Math.max(questions.length - 1, 0))
  function setDraft(next) {
    setDraftState(next)
    writeDraft(userId, slug, version, draw.seed, next)
  }
  function goTo(n) {
    setDraft({ answers: chosen, step: n })
    focusSoon(`question-${questions[n].id}`)
  }
  function choose(q, choiceId, checked) {
    const current = chosen[q.id] || []
    const next = q.multiple ? (checked ? [...current, choiceId] : current.filter((c) => c !== choiceId)) : [choiceId]
    setDraft({ answers: { ...chosen, [q.id]: next }, step })
    if (missing.includes(q.id)) setMissing(missing.filter((id) => id !== q.id))
  }
  async function submit(event) {
    event.preventDefault()
    // Enter on a phone's question goes on to the next question; only the last one submits.
    if (!wide && step < questions.length - 1) return goTo(step + 1)
    const unanswered = questions.filter((q) => !(chosen[q.id] || []).length)
    if (unanswered.length) {
      setMissing(unanswered.map((q) => q.id))
      setProblem(t('answer_missing', unanswered.map((q) => questions.indexOf(q) + 1)))
      // Take the person to the first question still to answer.
      const first = questions.indexOf(unanswered[0])
      if (!wide) setDraft({ answers: chosen, step: first })
      requestAnimationFrame(() => document.querySelector(`input[name="${CSS.escape(unanswered[0].id)}"]`)?.focus())
      return
    }
    setProblem(null)
    setMissing([])
    setBusy(true)
    const sent = Object.fromEntries(questions.map((q) => [q.id, chosen[q.id]]))
    try {
      const { entry, synced } = await queue({ kind: 'attempt', module: slug, answers: sent, version: m.version, lang: s.lang })
      writeDraft(userId, slug, version, draw.seed, null)
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
  const fields = (q, n) => (
    <QuestionFields key={q.id} q={q} number={wide ? n + 1 : null} chosen={chosen[q.id]} missing={missing.includes(q.id)} onChoose={choose} />
  )
  const submitButton = <button type="submit" class="button" disabled={busy}>{busy ? t('syncing') : t('submit_answers')}</button>
  return (
    <>
      <p class="crumbs"><a href={`/m/${slug}`}>{m.title}</a></p>
      <h1 tabIndex={-1} id="quiz-title">{t('quiz')}</h1>
      {outcome?.result && <Result outcome={outcome} wide={wide} />}
      {outcome?.queued && <p class="notice pending" role="status" id="result-title" tabIndex={-1}>{t('queued_attempt')}</p>}
      {outcome ? (
        <p class="actions">
          <a class="button" href={`/m/${slug}`}>{t('back_to_module')}</a>
          {outcome.result && !outcome.result.passed && (
            <button type="button" class="button secondary" onClick={tryAgain}>{t('try_again')}</button>
          )}
        </p>
      ) : draft && (
        <form onSubmit={submit} noValidate>
          <p>{t('quiz_intro', questions.length, Math.round(m.quiz.pass_score * 100))}</p>
          {wide ? questions.map(fields) : questions.length > 0 && (
            <>
              <StepCount step={step} total={questions.length} />
              {fields(questions[step], step)}
            </>
          )}
          {problem && <p class="notice error" role="alert">{problem}</p>}
          {wide ? <p>{submitButton}</p> : <StepButtons step={step} total={questions.length} onStep={goTo} last={submitButton} />}
        </form>
      )}
    </>
  )
}
