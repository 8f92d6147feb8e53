// My certificates: one per completed module and per year's goal; download the PDF, share the verification link.
import { useState } from 'preact/hooks'
import * as api from '../api.js'
import { formatDate, t } from '../i18n.js'
import { saveFile } from '../lib/download.js'
import { useAppState } from '../state.js'
import { LoadStatus, useLoad } from '../ui.jsx'

function Certificate({ cert }) {
  const [note, setNote] = useState('')
  const download = async () => {
    setNote(t('cert_downloading'))
    try {
      saveFile(`hocso-${cert.number}.pdf`, await api.certificatePdf(cert.id))
      setNote('')
    } catch (error) {
      setNote(error instanceof api.Offline ? t('cert_offline') : error.message)
    }
  }
  const share = async () => {
    const data = { title: cert.name, text: t('cert_share_text', cert.name), url: cert.verify_url }
    try {
      if (navigator.share) {
        await navigator.share(data)
        return
      }
      await navigator.clipboard.writeText(cert.verify_url)
      setNote(t('cert_link_copied'))
    } catch (error) {
      if (error?.name !== 'AbortError') setNote(t('cert_copy_this', cert.verify_url))
    }
  }
  return (
    <li class="card certificate" data-testid="certificate">
      <h2 class="card-title">{cert.name}</h2>
      <p class="meta">
        <span>{cert.kind === 'year' ? t('cert_kind_year') : t('cert_kind_module')}</span>
        <span>{formatDate(cert.achieved_at)}</span>
        <span>{t('cert_number', cert.number)}</span>
      </p>
      <p class="actions">
        <button type="button" class="button" onClick={download}>{t('cert_download')}</button>
        <button type="button" class="button secondary" onClick={share}>{t('cert_share')}</button>
        {/* A page of the server, not of the app: opened as such. */}
        <a class="button secondary" href={cert.verify_url} target="_blank" rel="noopener">{t('cert_view')}</a>
      </p>
      {note && <p class="muted" role="status">{note}</p>}
    </li>
  )
}

export function Certificates() {
  const s = useAppState()
  const list = useLoad(() => (s.me ? api.certificates() : Promise.resolve(null)), [s.me && s.me.id, s.lastSync])
  if (!s.me) {
    return <><h1 tabIndex={-1}>{t('cert_title')}</h1><p><a href="/signin?next=/certificates">{t('sign_in_to_save')}</a></p></>
  }
  const certs = list.data || []
  return (
    <>
      <h1 tabIndex={-1}>{t('cert_title')}</h1>
      <p>{t('cert_intro')}</p>
      <LoadStatus result={list} />
      {list.data && certs.length === 0 && <p data-testid="no-certificates">{t('cert_none')} <a href="/learn">{t('start_learning')}</a></p>}
      <ul class="plain cards">{certs.map((c) => <Certificate key={c.id} cert={c} />)}</ul>
    </>
  )
}
