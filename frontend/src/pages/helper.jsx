// The community digital team helper's page: register a citizen with their consent, list the citizens registered,
// and start an assisted session for one of them on this shared device.
import { useEffect, useRef, useState } from 'preact/hooks'
import * as api from '../api.js'
import { helperUnits, th } from '../helpers-text.js'
import { t } from '../i18n.js'
import { navigate, useAppState } from '../state.js'
import { LoadStatus, useLoad } from '../ui.jsx'

function RegisterForm({ code, onDone }) {
  const consent = useLoad(() => api.consentText(), [])
  const [error, setError] = useState(null)
  const [done, setDone] = useState(null)
  const [busy, setBusy] = useState(false)
  // With a phone the server sends the citizen a code first: {registration_id, sent_to} until it is typed back.
  const [pending, setPending] = useState(null)
  const codeInput = useRef(null)
  useEffect(() => { if (pending) codeInput.current?.focus() }, [pending])
  const s = useAppState()
  async function run(form, call) {
    setBusy(true)
    setError(null)
    setDone(null)
    try {
      const answer = await call()
      if (answer.registration_id) {
        setPending(answer)
        return
      }
      form.reset()
      setPending(null)
      setDone(th('registered', answer.full_name))
      onDone()
    } catch (e) {
      setError(e instanceof api.Offline ? t('offline') : e.message)
    } finally {
      setBusy(false)
    }
  }
  function onSubmit(event) {
    event.preventDefault()
    const form = event.currentTarget
    const data = Object.fromEntries(new FormData(form))
    if (pending) return run(form, () => api.confirmCitizen(code, pending.registration_id, data.code || ''))
    return run(form, () => api.registerCitizen(code, {
      full_name: data.full_name, phone: data.phone || null,
      consent: data.consent === 'on', consent_version: consent.data?.version || '',
    }))
  }
  if (pending) {
    return (
      <section aria-labelledby="register-title">
        <h2 id="register-title">{th('register_title')}</h2>
        <form class="form" key="code" onSubmit={onSubmit} noValidate>
          <p class="notice" role="status">{th('code_sent', pending.sent_to)}</p>
          <p class="field">
            <label for="code">{th('code')}</label>
            <input id="code" name="code" ref={codeInput} inputMode="numeric" autocomplete="one-time-code" required />
          </p>
          {error && <p class="notice error" role="alert">{error}</p>}
          <p class="actions">
            <button class="button" type="submit" disabled={busy}>{th('confirm')}</button>
            <button class="button secondary" type="button" onClick={() => { setPending(null); setError(null) }}>{th('restart')}</button>
          </p>
        </form>
      </section>
    )
  }
  return (
    <section aria-labelledby="register-title">
      <h2 id="register-title">{th('register_title')}</h2>
      {/* Consent is checked by the server (a clear message if the box is not ticked), not only by the browser. */}
      <form class="form" key="details" onSubmit={onSubmit} noValidate>
        <p class="field">
          <label for="full_name">{th('full_name')}</label>
          <input id="full_name" name="full_name" required autocomplete="off" />
        </p>
        <p class="field">
          <label for="phone">{th('phone')}</label>
          <input id="phone" name="phone" type="tel" inputMode="tel" autocomplete="off" aria-describedby="phone-hint" />
          <span class="hint" id="phone-hint">{th('phone_hint')}</span>
        </p>
        <fieldset class="consent">
          <legend>{th('consent_title')}</legend>
          <LoadStatus result={consent} />
          {consent.data && (
            <>
              <p class="muted">{th('consent_read')}</p>
              <blockquote data-testid="consent-text" lang={s.lang}>{consent.data.text[s.lang] || consent.data.text.vi}</blockquote>
              <p class="hint">{th('consent_version', consent.data.version)}</p>
            </>
          )}
          <p class="check">
            <input id="consent" name="consent" type="checkbox" />
            <label for="consent">{th('consent_box')}</label>
          </p>
        </fieldset>
        {error && <p class="notice error" role="alert">{error}</p>}
        {done && <p class="notice" role="status">{done}</p>}
        <p><button class="button" type="submit" disabled={busy || !consent.data}>{th('register')}</button></p>
      </form>
    </section>
  )
}

function CitizenList({ code, result }) {
  const [error, setError] = useState(null)
  async function start(citizen) {
    setError(null)
    try {
      await api.startAssistedSession(code, citizen.id)
      navigate('/learn')
    } catch (e) {
      setError(e instanceof api.Offline ? t('offline') : e.message)
    }
  }
  const dateFormat = new Intl.DateTimeFormat(useAppState().lang === 'vi' ? 'vi-VN' : 'en-GB', { dateStyle: 'medium' })
  return (
    <section aria-labelledby="list-title">
      <h2 id="list-title">{th('list_title')}</h2>
      <LoadStatus result={result} />
      {error && <p class="notice error" role="alert">{error}</p>}
      {result.data && result.data.length === 0 && <p class="muted">{th('none')}</p>}
      {result.data && result.data.length > 0 && (
        <ul class="cards citizens" data-testid="citizens">
          {result.data.map((c) => (
            <li class="card" key={c.id}>
              <span class="card-title">{c.full_name}</span>
              <p class="meta">
                {c.phone && <span>{c.phone}</span>}
                <span>{c.agency.name}</span>
                <span>{th('registered_on', dateFormat.format(new Date(c.consented_at)))}</span>
              </p>
              <button type="button" class="button secondary" aria-label={th('start', c.full_name)} onClick={() => start(c)}>
                {th('start_short')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

export function Helper({ code }) {
  const s = useAppState()
  const units = helperUnits(s.me)
  const unit = units.find((u) => u.code === code) || units[0]
  const list = useLoad(() => (unit ? api.citizens(unit.code) : Promise.resolve([])), [unit?.code])
  if (!units.length) return <><h1 tabIndex={-1}>{th('title')}</h1><p>{th('not_helper')}</p></>
  return (
    <div class="helper-page">
      <h1 tabIndex={-1}>{th('title')}</h1>
      <p class="lead">{th('intro')}</p>
      {units.length > 1 ? (
        <p class="field">
          <label for="unit">{th('choose_unit')}</label>
          <select id="unit" value={unit.code} onChange={(e) => navigate(`/helper/${encodeURIComponent(e.currentTarget.value)}`)}>
            {units.map((u) => <option key={u.code} value={u.code}>{u.name}</option>)}
          </select>
        </p>
      ) : (
        <p><strong>{th('unit')}:</strong> {unit.name}</p>
      )}
      <div class="helper-columns">
        <RegisterForm code={unit.code} onDone={list.reload} />
        <CitizenList code={unit.code} result={list} />
      </div>
    </div>
  )
}
