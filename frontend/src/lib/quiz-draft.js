// An attempt's answers and the question it was on, kept for the tab's life (sessionStorage, like the draw's
// seed) under the person, the module's version and the draw: leaving to re-read a lesson loses nothing, and a
// new draw starts blank.
const PREFIX = 'hocso.quiz.'
const keyFor = (userId, slug, version, seed) => `${PREFIX}${userId}.${slug}.${version}.${seed}`

/** The draft of this draw: {answers, step}; empty when there is none. */
export function readDraft(userId, slug, version, seed) {
  try {
    const draft = JSON.parse(sessionStorage.getItem(keyFor(userId, slug, version, seed)) || 'null')
    if (draft && typeof draft.answers === 'object') return { answers: draft.answers, step: Number(draft.step) || 0 }
  } catch {
    // Unreadable or storage blocked: start blank.
  }
  return { answers: {}, step: 0 }
}

/** Keeps the draft, or with null forgets every draft of this person's module (the attempt was sent). */
export function writeDraft(userId, slug, version, seed, draft) {
  try {
    if (draft) {
      sessionStorage.setItem(keyFor(userId, slug, version, seed), JSON.stringify(draft))
      return
    }
    const mine = `${PREFIX}${userId}.${slug}.`
    for (const key of Object.keys(sessionStorage)) if (key.startsWith(mine)) sessionStorage.removeItem(key)
  } catch {
    // Storage full or blocked: the answers stay on the page only.
  }
}
