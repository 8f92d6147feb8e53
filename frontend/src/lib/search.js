// Search as the server does it (backend/hocso/content/search.py), over the modules kept on this device: the
// same folding (no accents, đ as d, lowercase) and the same rule (every word of the query starts a word of the
// text), so offline a person finds among their saved modules what the server would find.
const SNIPPET_CHARS = 160
const MAX_RESULTS = 20

/** Lowercase, without accents (đ as d), words separated by single spaces. */
export function fold(text) {
  return String(text || '').replace(/đ/g, 'd').replace(/Đ/g, 'D').normalize('NFD').replace(/\p{Mn}/gu, '')
    .toLowerCase().replace(/[^0-9a-z]+/g, ' ').trim()
}

/** Lesson Markdown as the words a reader sees: link and picture texts kept; markup and list marks dropped. */
export const plain = (markdown) => String(markdown || '').replace(/^\s*(?:[-*+]|\d+[.)]|#+)\s+/gm, '')
  .replace(/!?\[([^\]]*)\]\([^)]*\)|[*_`#>]+/g, (_, text) => text || ' ')
  .split(/\s+/).filter(Boolean).join(' ')

function snippet(text, words) {
  const all = text.split(/\s+/).filter(Boolean)
  let first = all.findIndex((w) => words.some((t) => fold(w).startsWith(t)))
  if (first < 0) first = 0
  const start = Math.max(0, first - 8)
  const out = []
  let length = 0
  for (const word of all.slice(start)) {
    if (length + word.length > SNIPPET_CHARS && out.length) break
    out.push(word)
    length += word.length + 1
  }
  return (start ? '… ' : '') + out.join(' ') + (start + out.length < all.length ? ' …' : '')
}

/**
 * docs: [{slug, area, title, summary, lessons: [{id, title, body}], unavailable?}] in catalogue order.
 * Returns hits shaped like GET /search's: [{slug, area, title, summary, lessons: [{id, title, snippet}]}].
 */
export function searchDocs(docs, query) {
  const words = fold(query).split(' ').filter(Boolean)
  if (!words.length) return []
  const terms = words.map((w) => new RegExp(`\\b${w}`))
  const phrase = words.join(' ')
  const all = (...texts) => terms.every((term) => texts.some((text) => term.test(text)))
  const hits = []
  docs.forEach((d, position) => {
    const title = fold(d.title)
    const summary = fold(d.summary)
    const lessons = []
    for (const lesson of d.lessons || []) {
      const text = plain(lesson.body)
      if (all(fold(lesson.title), fold(text))) lessons.push({ id: lesson.id, title: lesson.title, snippet: snippet(text, words) })
    }
    const inModule = all(title, summary)
    if (!inModule && !lessons.length) return
    const score = (title.includes(phrase) ? 8 : all(title) ? 4 : 0) + (inModule ? 2 : 0)
      + lessons.filter((l) => fold(l.title).includes(phrase)).length + Math.min(lessons.length, 3)
    hits.push({ score, position, hit: { slug: d.slug, area: d.area, title: d.title, summary: d.summary, lessons, unavailable: !!d.unavailable } })
  })
  hits.sort((a, b) => b.score - a.score || a.position - b.position)
  return hits.slice(0, MAX_RESULTS).map((h) => h.hit)
}
