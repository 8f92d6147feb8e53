// Which lessons of a module the person has read, for the module page and the lesson reader.
import { useProgress } from '../lib/progress.js'
import { useAppState } from '../state.js'

/** Lessons the person has read: what the server knows plus what is still waiting in the queue. */
export function useLessonsDone(slug) {
  const s = useAppState()
  const progress = useProgress()
  const status = progress.data?.modules.find((m) => m.slug === slug)
  const done = new Set(status?.lessons_done || [])
  for (const item of s.pending) if (item.kind === 'lesson' && item.module === slug) done.add(item.lesson)
  return { done, status }
}
