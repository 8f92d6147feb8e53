// Which questions one quiz attempt shows: `draw` of them from the module's pool, questions and choices in a
// shuffled order. The order comes from a seed kept for the tab (sessionStorage), so reloading mid-attempt
// shows the same draw; a new attempt takes a new seed.
import { useMemo, useState } from 'preact/hooks'

// mulberry32: a tiny seeded generator; this only needs to be unpredictable enough to vary the order.
function generator(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function shuffled(items, random) {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

/** The questions an attempt with this seed shows, choices shuffled too. */
export function drawQuestions(quiz, seed) {
  const random = generator(seed)
  const n = Math.min(quiz.draw || quiz.questions.length, quiz.questions.length)
  return shuffled(quiz.questions, random).slice(0, n).map((q) => ({ ...q, choices: shuffled(q.choices, random) }))
}

function seedFor(key, fresh) {
  let seed = 0
  try { seed = Number(sessionStorage.getItem(key)) } catch { /* storage off: a new draw each time */ }
  if (fresh || !Number.isInteger(seed) || seed <= 0) {
    seed = (crypto.getRandomValues(new Uint32Array(1))[0] % 2147483646) + 1
    try { sessionStorage.setItem(key, String(seed)) } catch { /* as above */ }
  }
  return seed
}

/** The drawn questions of a loaded module, the draw's seed (names the attempt), and next() for a new draw. */
export function useDraw(slug, module) {
  const [round, setRound] = useState(0)
  const version = module?.version
  const seed = useMemo(() => (module ? seedFor(`hocso.draw.${slug}.${version}`, round > 0) : 0), [slug, version, round])
  const questions = useMemo(() => (module ? drawQuestions(module.quiz, seed) : []), [module, seed])
  return { questions, seed, next: () => setRound((r) => r + 1) }
}
