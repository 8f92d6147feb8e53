// The pieces of a quiz screen: one question to answer, one question's feedback, and the stepper between them.
// Kept apart from the quiz's state (quiz.jsx) so that each can grow (e.g. a read-aloud button) on its own.
import { useEffect, useState } from 'preact/hooks'
import { t } from '../i18n.js'
import { tl } from '../learner-text.js'
import { Listen } from '../listen.jsx'

/** Phones show one question per screen; wider screens (44em, so larger text counts) show them all. */
export function useWideScreen() {
  const query = typeof matchMedia === 'function' ? matchMedia('(min-width: 44em)') : null
  const [wide, setWide] = useState(!!query?.matches)
  useEffect(() => {
    if (!query) return undefined
    const change = () => setWide(query.matches)
    query.addEventListener('change', change)
    return () => query.removeEventListener('change', change)
  }, [])
  return wide
}

/** One question to answer: its prompt as the legend, a hint, and its choices. `number` is shown when given. */
export function QuestionFields({ q, number, chosen, missing, onChoose }) {
  const picked = chosen || []
  return (
    <fieldset class={missing ? 'question missing' : 'question'} id={`question-${q.id}`} tabIndex={-1}>
      <legend>{number && <span class="qnum">{number}.</span>} {q.prompt}</legend>
      <Listen target={`question-${q.id}`} label={tl('listen_question')} />
      <p class="hint" id={`hint-${q.id}`}>{q.multiple ? t('choose_many') : t('choose_one')}</p>
      {q.choices.map((c) => (
        <label key={c.id} class="choice">
          <input type={q.multiple ? 'checkbox' : 'radio'} name={q.id} value={c.id} aria-describedby={`hint-${q.id}`}
            checked={picked.includes(c.id)} onChange={(e) => onChoose(q, c.id, e.currentTarget.checked)} />
          <span>{c.text}</span>
        </label>
      ))}
    </fieldset>
  )
}

const texts = (q, ids) => q.choices.filter((c) => (ids || []).includes(c.id)).map((c) => c.text)

/** One graded question: what you picked next to the right answer (only when the server gave it) and why. */
export function QuestionFeedback({ q, result, picked, as: Tag = 'li' }) {
  const mine = texts(q, picked)
  // The server names the right answer only once it is earned (a right answer, or the module passed).
  const right = texts(q, result.correct_choice_ids)
  return (
    <Tag class={`feedback-item ${result.correct ? 'right' : 'wrong'}`} data-testid="feedback">
      <p class="prompt">{q.prompt}</p>
      <p><strong>{result.correct ? `✓ ${t('right')}` : `✗ ${t('wrong')}`}</strong></p>
      <p class="picked">{t('your_answer')} {mine.length ? mine.join('; ') : t('no_answer')}</p>
      {!result.correct && <p class="key">{right.length ? `${t('correct_answer')} ${right.join('; ')}` : t('key_after_pass')}</p>}
      {result.explanation && <p class="explanation">{result.explanation}</p>}
    </Tag>
  )
}

/** "Câu 3/8" with a bar, for one-question-per-screen. */
export function StepCount({ step, total }) {
  return (
    <div class="step-count">
      <p id="step-count" data-testid="step-count">{t('question_of', step + 1, total)}</p>
      <progress max={total} value={step + 1} aria-labelledby="step-count" />
    </div>
  )
}

/** Previous / next between questions; on the last one, `last` (e.g. the submit button) instead of next. */
export function StepButtons({ step, total, onStep, last }) {
  return (
    <p class="actions step-buttons">
      {/* Keyed: the next button must not be reused as the submit button while its click is still going on. */}
      {step < total - 1 ? <button key="next" type="button" class="button" onClick={() => onStep(step + 1)}>{t('next_question')} →</button>
        : <span key="last">{last}</span>}
      {step > 0 && <button key="previous" type="button" class="button secondary" onClick={() => onStep(step - 1)}>← {t('previous_question')}</button>}
    </p>
  )
}
