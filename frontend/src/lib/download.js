// Hands a file made or fetched in the page to the browser as a download.

/** Saves `blob` as `name` through a temporary link (the way every browser starts a download from script). */
export function saveFile(name, blob) {
  const url = URL.createObjectURL(blob)
  const a = Object.assign(document.createElement('a'), { href: url, download: name })
  document.body.append(a)
  a.click()
  a.remove()
  // Some browsers read the URL after click() returns: revoke it a little later.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
