// Read-aloud with the browser's speech synthesis: the text on screen, one sentence per utterance (long utterances
// stop half-way on Android), each sentence highlighted as it is read. Only a voice of the content's language is
// used: Vietnamese read by an English voice is unintelligible, so with no such voice the caller says how to add one.

export const SPEECH_LANG = { vi: 'vi-VN', en: 'en-US' }
const BLOCKS = 'h1,h2,h3,h4,p,li,legend,label,dt,dd,blockquote,figcaption,td,th'
const SKIP = '[data-no-read],[aria-hidden="true"],script,style,.visually-hidden'
// A sentence ends at . ! ? … (and any closing quotes or brackets) followed by a space; "dichvucong.gov.vn" and
// "203.0.113.5" have no space after their dots, so addresses stay whole.
const SENTENCE_END = /[.!?…]+["'”’»)\]]*(?=\s)/g

export const supported = () => typeof speechSynthesis !== 'undefined' && typeof SpeechSynthesisUtterance !== 'undefined'

const langOf = (voice) => String(voice.lang || '').replace('_', '-').toLowerCase()

/** The voices for `lang` ("vi-VN"), best first; waits briefly for the list, which some phones fill late. */
export async function voicesFor(lang) {
  const want = lang.toLowerCase()
  const base = want.split('-')[0]
  let voices = speechSynthesis.getVoices()
  if (!voices.length) {
    voices = await new Promise((resolve) => {
      const done = () => {
        speechSynthesis.removeEventListener?.('voiceschanged', done)
        clearTimeout(timer)
        resolve(speechSynthesis.getVoices())
      }
      const timer = setTimeout(done, 1500)
      speechSynthesis.addEventListener?.('voiceschanged', done)
    })
  }
  const matching = voices.filter((v) => langOf(v) === want || langOf(v).split('-')[0] === base)
  // An exact region first, then voices on the device (they work offline), then the rest.
  const score = (v) => (langOf(v) === want ? 2 : 0) + (v.localService ? 1 : 0)
  return matching.sort((a, b) => score(b) - score(a))
}

/** The sentences under `root` as {text, range, block}, in reading order, skipping [data-no-read] parts. */
export function sentences(root) {
  const runs = new Map() // block element -> [{node, start}] and its text
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT)
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement
    if (!parent || parent.closest(SKIP) || !node.data.trim()) continue
    const block = parent.closest(BLOCKS)
    const owner = block && root.contains(block) ? block : root
    let run = runs.get(owner)
    if (!run) runs.set(owner, (run = { parts: [], text: '' }))
    run.parts.push({ node, start: run.text.length })
    run.text += node.data
  }
  const out = []
  for (const [block, run] of runs) {
    const at = (offset, end) => {
      let i = run.parts.length - 1
      while (i > 0 && (end ? run.parts[i].start >= offset : run.parts[i].start > offset)) i--
      const part = run.parts[i]
      return [part.node, Math.min(offset - part.start, part.node.data.length)]
    }
    const cuts = [0]
    for (const m of run.text.matchAll(SENTENCE_END)) cuts.push(m.index + m[0].length)
    cuts.push(run.text.length)
    for (let i = 0; i < cuts.length - 1; i++) {
      let start = cuts[i]
      let end = cuts[i + 1]
      const piece = run.text.slice(start, end)
      const text = piece.replace(/\s+/g, ' ').trim()
      if (!text) continue
      start += piece.length - piece.trimStart().length
      end -= piece.length - piece.trimEnd().length
      const range = document.createRange()
      range.setStart(...at(start, false))
      range.setEnd(...at(end, true))
      out.push({ text, range, block })
    }
  }
  return out
}

let current = null // the reader speaking now: starting another one stops it

function highlight(item) {
  document.querySelectorAll('.reading').forEach((e) => e.classList.remove('reading'))
  if (typeof CSS !== 'undefined' && CSS.highlights) {
    if (item) CSS.highlights.set('hocso-reading', new Highlight(item.range))
    else CSS.highlights.delete('hocso-reading')
  }
  if (item) {
    item.block.classList.add('reading')
    item.block.scrollIntoView?.({ block: 'nearest' })
  }
}

/**
 * A reader over `items` (from sentences()); onChange({index, playing, done, error}) after every step.
 * Pausing cancels and remembers the sentence, because speechSynthesis.pause() is unreliable on Android.
 */
export function createReader({ items, lang, voice, rate = 1, onChange }) {
  let index = 0
  let playing = false
  let turn = 0 // utterances of an older turn (cancelled) must not move the reader on
  const report = (extra = {}) => onChange?.({ index, playing, total: items.length, ...extra })

  function speak(i, myTurn) {
    if (myTurn !== turn) return
    if (i >= items.length) {
      playing = false
      index = 0
      highlight(null)
      if (current === reader) current = null
      report({ done: true })
      return
    }
    index = i
    const utterance = new SpeechSynthesisUtterance(items[i].text)
    utterance.lang = lang
    try {
      if (voice) utterance.voice = voice
    } catch {
      // Not a voice object this browser accepts: the lang alone picks one.
    }
    utterance.rate = rate
    // A late start (after the reader moved on or finished) must not mark a sentence that is no longer read.
    utterance.onstart = () => myTurn === turn && playing && index === i && highlight(items[i])
    utterance.onend = () => speak(i + 1, myTurn)
    utterance.onerror = (event) => {
      if (myTurn !== turn || event.error === 'interrupted' || event.error === 'canceled') return
      playing = false
      highlight(null)
      report({ error: event.error || 'failed' })
    }
    highlight(items[i])
    report()
    speechSynthesis.speak(utterance)
  }

  const reader = {
    play(from = index) {
      if (current && current !== reader) current.stop()
      current = reader
      turn++
      speechSynthesis.cancel()
      playing = true
      speak(from, turn)
    },
    pause() {
      turn++
      playing = false
      speechSynthesis.cancel()
      report()
    },
    stop() {
      turn++
      playing = false
      index = 0
      speechSynthesis.cancel()
      highlight(null)
      if (current === reader) current = null
      report({ stopped: true })
    },
    setRate(next) {
      rate = next
      if (playing) reader.play(index)
    },
    get index() { return index },
    get playing() { return playing },
  }
  return reader
}
