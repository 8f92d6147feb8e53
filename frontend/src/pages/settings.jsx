// The learner's own settings, loaded when opened: text size and contrast, their name, their password (change,
// or reset with a code sent to them), and signing out on every device.
import { useState } from 'preact/hooks'
import * as api from '../api.js'
import { t } from '../i18n.js'
import { tl } from '../learner-text.js'
import { highContrast, setHighContrast, setTextSize, textSize } from '../lib/display.js'
import { navigate, state, useAppState } from '../state.js'
import { refreshPending, syncNow } from '../sync.js'

const focusSoon = (id) => requestAnimationFrame(() => document.getElementById(id)?.focus())

/** A form whose submit runs `action`; its error is said where the form is, in the app's language. */
function useSubmit(action) {
  const [error, setError] = useState(null)
  const [busy, setBusy] = useState(false)
  async function onSubmit(event) {
    event.preventDefault()
    const form = event.currentTarget
    setBusy(true)
    setError(null)
    try {
      await action(Object.fromEntries(new FormData(form)), form)
    } catch (e) {
      setError(e instanceof api.Offline ? t('offline') : e.message)
    } finally {
      setBusy(false)
    }
  }
  return { error, busy, onSubmit }
}

const Field = ({ name, label, type = 'text', hint, ...rest }) => (
  <p class="field">
    <label for={name}>{label}</label>
    <input id={name} name={name} type={type} required aria-describedby={hint ? `${name}-hint` : undefined} {...rest} />
    {hint && <span class="hint" id={`${name}-hint`}>{hint}</span>}
  </p>
)

const FormError = ({ error }) => error && <p class="notice error" role="alert">{error}</p>
const Done = ({ id, text }) => text && <p class="notice ok" role="status" id={id} tabIndex={-1}>{text}</p>

export function Display() {
  const [size, setSize] = useState(textSize)
  const [contrast, setContrast] = useState(highContrast)
  return (
    <>
      <h1 tabIndex={-1}>{tl('display_title')}</h1>
      <fieldset class="choices">
        <legend>{tl('text_size')}</legend>
        {[1, 2, 3].map((n) => (
          <label key={n} class={`choice size-choice size-${n}`}>
            <input type="radio" name="text-size" value={n} checked={size === n} onChange={() => { setTextSize(n); setSize(n) }} />
            <span>{tl(`size_${n}`)}</span>
          </label>
        ))}
      </fieldset>
      <p class="prose">{tl('size_sample')}</p>
      <p class="field">
        <label class="choice">
          <input type="checkbox" checked={contrast} aria-describedby="contrast-hint"
            onChange={(e) => { setHighContrast(e.currentTarget.checked); setContrast(e.currentTarget.checked) }} />
          <span>{tl('contrast')}</span>
        </label>
        <span class="hint" id="contrast-hint">{tl('contrast_hint')}</span>
      </p>
      <p class="muted">{tl('display_saved')}</p>
      <p><a class="button secondary" href={state.me ? '/account' : '/'}>{state.me ? tl('back_account') : t('go_home')}</a></p>
    </>
  )
}

function SignInFirst({ title }) {
  return <><h1 tabIndex={-1}>{title}</h1><p><a class="button" href={`/signin?next=${encodeURIComponent(state.path)}`}>{t('sign_in')}</a></p></>
}

export function EditName() {
  const s = useAppState()
  const [done, setDone] = useState(null)
  const form = useSubmit(async ({ full_name }) => {
    setDone(null)
    await api.rename(full_name.trim())
    setDone(tl('name_saved'))
    focusSoon('name-done')
  })
  if (!s.me) return <SignInFirst title={tl('name_title')} />
  return (
    <>
      <h1 tabIndex={-1}>{tl('name_title')}</h1>
      <form onSubmit={form.onSubmit} class="form">
        <Field name="full_name" label={t('full_name')} autocomplete="name" value={s.me.full_name} maxLength={200} hint={tl('name_hint')} />
        <FormError error={form.error} />
        <Done id="name-done" text={done} />
        <p><button class="button" type="submit" disabled={form.busy}>{tl('save')}</button></p>
      </form>
      <p><a href="/account">{tl('back_account')}</a></p>
    </>
  )
}

export function ChangePassword() {
  const s = useAppState()
  const [done, setDone] = useState(null)
  const form = useSubmit(async ({ current_password, new_password }, el) => {
    const stillIn = await api.changePassword(current_password, new_password)
    el.reset()
    if (stillIn) {
      setDone(tl('password_changed'))
      focusSoon('password-done')
      refreshPending().then(syncNow)
    } else {
      navigate(`/signin?notice=password`, { replace: true })
    }
  })
  if (!s.me && !done) return <SignInFirst title={tl('password_title')} />
  return (
    <>
      <h1 tabIndex={-1}>{tl('password_title')}</h1>
      <Done id="password-done" text={done} />
      <form onSubmit={form.onSubmit} class="form">
        {/* The identifier lets a password manager file the new password under the right account. */}
        <input type="text" name="username" autocomplete="username" value={s.me?.email || s.me?.phone || ''} hidden readOnly />
        <Field name="current_password" label={tl('current_password')} type="password" autocomplete="current-password" />
        <Field name="new_password" label={t('new_password')} type="password" autocomplete="new-password" minLength={8} hint={t('password_hint')} />
        <FormError error={form.error} />
        <p><button class="button" type="submit" disabled={form.busy}>{tl('password_title')}</button></p>
      </form>
      <p><a href="/account">{tl('back_account')}</a></p>
    </>
  )
}

export function ForgotPassword() {
  const [sent, setSent] = useState(null) // {identifier, message} once a code was asked for
  const ask = useSubmit(async ({ identifier }) => {
    const r = await api.requestPasswordReset(identifier.trim())
    setSent({ identifier: identifier.trim(), message: r.message })
    focusSoon('reset-sent')
  })
  const confirm = useSubmit(async ({ identifier, code, new_password }) => {
    await api.confirmPasswordReset(identifier.trim(), code.replace(/\s+/g, ''), new_password)
    navigate('/account?notice=reset', { replace: true })
    refreshPending().then(syncNow)
  })
  return (
    <>
      <h1 tabIndex={-1}>{tl('forgot_title')}</h1>
      {!sent ? (
        <form onSubmit={ask.onSubmit} class="form">
          <p>{tl('forgot_intro')}</p>
          <Field name="identifier" label={t('email_or_phone')} autocomplete="username" autocapitalize="none" spellcheck={false} />
          <FormError error={ask.error} />
          <p class="actions">
            <button class="button" type="submit" disabled={ask.busy}>{tl('send_code')}</button>
            <button class="button secondary" type="button" onClick={() => { setSent({ identifier: '', message: null }); focusSoon('identifier') }}>
              {tl('have_code')}</button>
          </p>
        </form>
      ) : (
        <>
          {sent.message && <p class="notice ok" role="status" id="reset-sent" tabIndex={-1}>{sent.message}</p>}
          <form onSubmit={confirm.onSubmit} class="form">
            <Field name="identifier" label={t('email_or_phone')} autocomplete="username" value={sent.identifier}
              autocapitalize="none" spellcheck={false} />
            <Field name="code" label={tl('reset_code')} autocomplete="one-time-code" inputMode="text" autocapitalize="characters" spellcheck={false} />
            <Field name="new_password" label={t('new_password')} type="password" autocomplete="new-password" minLength={8} hint={t('password_hint')} />
            <FormError error={confirm.error} />
            <p><button class="button" type="submit" disabled={confirm.busy}>{tl('set_password')}</button></p>
          </form>
          <p class="hint">{tl('no_code_help')}</p>
          <p><button type="button" class="link-button" onClick={() => setSent(null)}>{tl('send_again')}</button></p>
        </>
      )}
      <p><a href="/signin">{t('sign_in')}</a></p>
    </>
  )
}
