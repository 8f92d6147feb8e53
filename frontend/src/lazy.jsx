// A page whose code loads when it is first opened, so the first screen stays small.
import { useEffect, useState } from 'preact/hooks'
import { t } from './i18n.js'

export function lazyPage(load, name) {
  return function LazyPage(props) {
    const [Page, setPage] = useState(null)
    useEffect(() => { load().then((m) => setPage(() => m[name])) }, [])
    return Page ? <Page {...props} /> : <p class="muted" role="status">{t('loading')}</p>
  }
}
