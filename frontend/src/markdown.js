// Renders lesson Markdown to Preact elements, never to an HTML string: text can only ever become text, so
// nothing in a lesson can inject markup or script. Supports what content/README.md allows: headings,
// paragraphs, lists, block quotes, **bold**, *italic*, `code`, links (https, lesson:, module:) and pictures
// (`![alt text](images/<file>)` on a line of its own, from the module's images).
import { h } from 'preact'

const INLINE = /(\*\*([^*]+)\*\*|__([^_]+)__|\*([^*\s][^*]*)\*|_([^_\s][^_]*)_|`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\))/

function href(target, slug) {
  if (target.startsWith('lesson:')) return { internal: `/m/${slug}/l/${encodeURIComponent(target.slice(7))}` }
  if (target.startsWith('module:')) return { internal: `/m/${encodeURIComponent(target.slice(7))}` }
  if (/^https:\/\//i.test(target)) return { external: target }
  return null // javascript:, data:, http: and anything else stay plain text
}

export function inline(text, ctx) {
  const out = []
  let rest = text
  while (rest) {
    const m = INLINE.exec(rest)
    if (!m) {
      out.push(rest)
      break
    }
    if (m.index) out.push(rest.slice(0, m.index))
    if (m[2] || m[3]) out.push(h('strong', null, inline(m[2] || m[3], ctx)))
    else if (m[4] || m[5]) out.push(h('em', null, inline(m[4] || m[5], ctx)))
    else if (m[6]) out.push(h('code', null, m[6]))
    else {
      const link = href(m[8], ctx.slug)
      const label = inline(m[7], ctx)
      if (link?.internal) out.push(h('a', { href: link.internal, onClick: ctx.onLink }, label))
      else if (link?.external) out.push(h('a', { href: link.external, target: '_blank', rel: 'noopener noreferrer' }, label))
      else out.push(...label)
    }
    rest = rest.slice(m.index + m[0].length)
  }
  return out
}

const PICTURE = /^\s*!\[([^\]]*)\]\(([^)\s]+)\)\s*$/

// A picture keeps its place while it loads (width and height) and shrinks to the screen (styles.css).
function picture(alt, src, ctx) {
  const image = ctx.images?.[src]
  if (!image) return h('p', { class: 'picture-missing' }, alt)
  return h('figure', { class: 'picture' },
    h('img', { src: image.url, alt, width: image.width, height: image.height, loading: 'lazy', decoding: 'async' }))
}

/** Markdown text -> an array of Preact elements. `ctx` = {slug, onLink, images} for links and pictures. */
export function markdown(text, ctx = {}) {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  const blocks = []
  let i = 0
  while (i < lines.length) {
    const line = lines[i]
    let m
    if (!line.trim()) {
      i++
    } else if ((m = PICTURE.exec(line))) {
      blocks.push(picture(m[1], m[2], ctx))
      i++
    } else if ((m = /^(#{1,6})\s+(.*)$/.exec(line))) {
      // Lesson titles are the page's h1; headings inside a lesson start at h2.
      const level = Math.min(Math.max(m[1].length, 2), 4)
      blocks.push(h(`h${level}`, null, inline(m[2], ctx)))
      i++
    } else if (/^\s*([-*+]|\d+[.)])\s+/.test(line)) {
      const ordered = /^\s*\d+[.)]\s+/.test(line)
      const items = []
      while (i < lines.length && /^\s*([-*+]|\d+[.)])\s+/.test(lines[i])) {
        let item = lines[i].replace(/^\s*([-*+]|\d+[.)])\s+/, '')
        i++
        while (i < lines.length && /^\s{2,}\S/.test(lines[i]) && !/^\s*([-*+]|\d+[.)])\s+/.test(lines[i])) item += ' ' + lines[i++].trim()
        items.push(h('li', null, inline(item, ctx)))
      }
      blocks.push(h(ordered ? 'ol' : 'ul', null, items))
    } else if (/^>\s?/.test(line)) {
      const quoted = []
      while (i < lines.length && /^>\s?/.test(lines[i])) quoted.push(lines[i++].replace(/^>\s?/, ''))
      blocks.push(h('blockquote', null, markdown(quoted.join('\n'), ctx)))
    } else {
      const para = []
      while (i < lines.length && lines[i].trim() && !/^(#{1,6}\s|>|\s*([-*+]|\d+[.)])\s+)/.test(lines[i]) && !PICTURE.test(lines[i])) para.push(lines[i++].trim())
      blocks.push(h('p', null, inline(para.join(' '), ctx)))
    }
  }
  return blocks
}
