// The app's own install offer on Android Chrome, shown when the browser says Hocso can be installed.
import { tl } from './learner-text.js'
import { dismissInstall, install, useInstallOffer } from './lib/install.js'

export function InstallHint() {
  const offer = useInstallOffer()
  if (!offer) return null
  return (
    <section class="install-hint" aria-labelledby="install-title" data-testid="install-hint">
      <h2 id="install-title">{tl('install_title')}</h2>
      <p>{tl('install_text')}</p>
      <p class="actions">
        <button type="button" class="button" onClick={install}>{tl('install')}</button>
        <button type="button" class="button secondary" onClick={dismissInstall}>{tl('install_later')}</button>
      </p>
    </section>
  )
}
