// Sign in, sign up, activation of an imported civil servant, and the account page (export, delete, sign out).
import { useState } from 'preact/hooks'
import * as api from '../api.js'
import { PushSwitch } from '../notices.jsx'
import { t } from '../i18n.js'
import { tl } from '../learner-text.js'
import { saveFile } from '../lib/download.js'
import { navigate, state, useAppState } from '../state.js'
import { refreshPending, syncNow } from '../sync.js'

function afterSignIn() {
  const next = state.query.get('next')
  navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true })
  refreshPending().then(syncNow)
}

/** A form whose submit runs `action`, showing the server's message when it fails. */
function useSubmit(action) {
  const [error, setError] = useState(null)
  const [busy, setBusy] = useState(false)
  async function onSubmit(event) {
    event.preventDefault()
    const data = Object.fromEntries(new FormData(event.currentTarget))
    setBusy(true)
    setError(null)
    try {
      await action(data)
    } catch (e) {
      setError(e instanceof api.Offline ? t('offline') : e.message)
    } finally {
      setBusy(false)
    }
  }
  return { error, busy, onSubmit }
}

const Field = ({ name, label, type = 'text', autocomplete, hint, ...rest }) => (
  <p class="field">
    <label for={name}>{label}</label>
    <input id={name} name={name} type={type} autocomplete={autocomplete} required aria-describedby={hint ? `${name}-hint` : undefined} {...rest} />
    {hint && <span class="hint" id={`${name}-hint`}>{hint}</span>}
  </p>
)

const FormError = ({ error }) => error && <p class="notice error" role="alert">{error}</p>

// Why the person was sent here after a change that ended every sign-in (see pages/settings.jsx).
const SIGNED_OUT_NOTICES = { password: 'password_changed_signin', everywhere: 'everywhere_done' }

function SignedOutNotice() {
  const key = SIGNED_OUT_NOTICES[state.query.get('notice')]
  return key ? <p class="notice ok" role="status">{tl(key)}</p> : null
}

export function SignIn() {
  const form = useSubmit(async ({ username, password }) => {
    await api.signIn(username.trim(), password)
    afterSignIn()
  })
  return (
    <>
      <h1 tabIndex={-1}>{t('sign_in')}</h1>
      <SignedOutNotice />
      <form onSubmit={form.onSubmit} class="form">
        {/* Plain text, not type/inputmode email: most people sign in with a phone number. */}
        <Field name="username" label={t('email_or_phone')} autocomplete="username" autocapitalize="none" spellcheck={false} />
        <Field name="password" label={t('password')} type="password" autocomplete="current-password" />
        <FormError error={form.error} />
        <p><button class="button" type="submit" disabled={form.busy}>{t('sign_in')}</button></p>
      </form>
      <p><a href="/forgot">{tl('forgot_link')}</a></p>
      <p>{t('no_account')} <a href="/signup">{t('sign_up')}</a></p>
      <p><a href="/activate">{t('activate_link')}</a></p>
    </>
  )
}

export function SignUp() {
  const form = useSubmit(async ({ full_name, identifier, password }) => {
    await api.signUp({ full_name: full_name.trim(), identifier: identifier.trim(), password })
    afterSignIn()
  })
  return (
    <>
      <h1 tabIndex={-1}>{t('sign_up')}</h1>
      <form onSubmit={form.onSubmit} class="form">
        <Field name="full_name" label={t('full_name')} autocomplete="name" />
        <Field name="identifier" label={t('email_or_phone')} autocomplete="username" />
        <Field name="password" label={t('password')} type="password" autocomplete="new-password" minLength={8} hint={t('password_hint')} />
        <FormError error={form.error} />
        <p><button class="button" type="submit" disabled={form.busy}>{t('sign_up')}</button></p>
      </form>
      <p>{t('have_account')} <a href="/signin">{t('sign_in')}</a></p>
    </>
  )
}

export function Activate() {
  const form = useSubmit(async ({ identifier, code, password }) => {
    // Codes are read out or copied in groups: spaces are not part of them.
    await api.activate({ identifier: identifier.trim(), code: code.replace(/\s+/g, '').toUpperCase(), password })
    afterSignIn()
  })
  return (
    <>
      <h1 tabIndex={-1}>{t('activate_title')}</h1>
      <form onSubmit={form.onSubmit} class="form">
        <Field name="identifier" label={t('email_or_phone')} autocomplete="username" />
        <Field name="code" label={t('code')} autocomplete="one-time-code" autocapitalize="characters" spellcheck={false} />
        <Field name="password" label={t('new_password')} type="password" autocomplete="new-password" minLength={8} hint={t('password_hint')} />
        <FormError error={form.error} />
        <p><button class="button" type="submit" disabled={form.busy}>{t('activate')}</button></p>
      </form>
    </>
  )
}

export function Account() {
  const s = useAppState()
  const [error, setError] = useState(null)
  if (!s.me) return <><h1 tabIndex={-1}>{t('account_title')}</h1><p><a href="/signin">{t('sign_in')}</a></p></>
  const guard = (work) => async () => {
    setError(null)
    try {
      await work()
    } catch (e) {
      setError(e instanceof api.Offline ? t('offline') : e.message)
    }
  }
  const exportData = guard(async () => {
    const data = await api.exportMyData()
    saveFile('hocso-my-data.json', new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }))
  })
  const remove = guard(async () => {
    if (!confirm(t('delete_confirm'))) return
    await api.deleteAccount()
    navigate('/', { replace: true })
  })
  const signOut = guard(async () => {
    await api.signOut()
    navigate('/', { replace: true })
  })
  const everywhere = guard(async () => {
    if (!confirm(tl('everywhere_confirm'))) return
    await api.signOutEverywhere()
    navigate('/signin?notice=everywhere', { replace: true })
  })
  return (
    <>
      <h1 tabIndex={-1}>{t('account_title')}</h1>
      <dl class="facts">
        <dt>{t('full_name')}</dt><dd>{s.me.full_name}</dd>
        <dt>{t('email_or_phone')}</dt><dd>{s.me.email || s.me.phone}</dd>
        {s.me.agency && <><dt>{t('agency')}</dt><dd>{s.me.agency.name}</dd></>}
        {s.me.manages && <><dt>{t('manages')}</dt><dd>{s.me.manages.name}</dd></>}
      </dl>
      {state.query.get('notice') === 'reset' && <p class="notice ok" role="status">{tl('reset_done')}</p>}
      <ul class="plain links">
        <li><a href="/account/name">{tl('name_link')}</a></li>
        <li><a href="/account/password">{tl('password_link')}</a></li>
        <li><a href="/settings">{tl('display_link')}</a></li>
      </ul>
      <PushSwitch />
      {s.pending.length > 0 && <p class="notice pending">{t('pending_on_signout', s.pending.length)}</p>}
      {error && <p class="notice error" role="alert">{error}</p>}
      <p class="actions">
        <button type="button" class="button secondary" onClick={signOut}>{t('sign_out')}</button>
        <button type="button" class="button secondary" onClick={exportData}>{t('export_data')}</button>
        <button type="button" class="button danger" onClick={remove}>{t('delete_account')}</button>
      </p>
      <h2>{tl('everywhere')}</h2>
      <p class="hint" id="everywhere-hint">{tl('everywhere_hint')}</p>
      <p><button type="button" class="button secondary" aria-describedby="everywhere-hint" onClick={everywhere}>{tl('everywhere')}</button></p>
    </>
  )
}
