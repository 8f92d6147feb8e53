// Text size (three steps) and high contrast, remembered on the device and applied to <html> before the first
// render, so a person who needs large text never sees the small one flash first.
const SIZE_KEY = 'hocso.textSize'
const CONTRAST_KEY = 'hocso.contrast'

function read(key) {
  try {
    return localStorage.getItem(key)
  } catch {
    return null
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, value)
  } catch {
    // Storage blocked: the choice holds for this visit only.
  }
}

export const textSize = () => (['2', '3'].includes(read(SIZE_KEY)) ? Number(read(SIZE_KEY)) : 1)
export const highContrast = () => read(CONTRAST_KEY) === '1'

export function applyDisplay() {
  const root = document.documentElement
  const size = textSize()
  root.classList.toggle('text-2', size === 2)
  root.classList.toggle('text-3', size === 3)
  root.classList.toggle('contrast', highContrast())
}

export function setTextSize(size) {
  write(SIZE_KEY, String(size))
  applyDisplay()
}

export function setHighContrast(on) {
  write(CONTRAST_KEY, on ? '1' : '0')
  applyDisplay()
}
