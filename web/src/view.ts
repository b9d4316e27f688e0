// What every screen and panel is: an element, and what to undo when it leaves the page.
// A view function builds its DOM once with `h`, keeps references to the parts that change,
// and registers in a Scope everything it starts (listeners on window, timers, sockets), so the
// router's one `destroy()` stops all of it. docs/web.md, "Writing a view", shows the pattern.

import { ApiError } from './api'
import { t } from './i18n'

export interface View {
  readonly element: HTMLElement
  destroy(): void
}

/** The cleanups of one view, run once, last registered first. */
export class Scope {
  private cleanups: (() => void)[] = []
  private disposed = false

  get alive(): boolean {
    return !this.disposed
  }

  /** Run `cleanup` when the view is destroyed (at once if it already was). */
  add(cleanup: () => void): void {
    if (this.disposed) cleanup()
    else this.cleanups.push(cleanup)
  }

  /** addEventListener on something that outlives the view (window, document). */
  listen<K extends keyof WindowEventMap>(target: Window, type: K, handler: (event: WindowEventMap[K]) => void): void
  listen(target: EventTarget, type: string, handler: (event: Event) => void): void
  listen(target: EventTarget, type: string, handler: (event: never) => void): void {
    const listener = handler as EventListener
    target.addEventListener(type, listener)
    this.add(() => target.removeEventListener(type, listener))
  }

  /** setInterval, cleared with the view. */
  every(ms: number, tick: () => void): void {
    const timer = window.setInterval(tick, ms)
    this.add(() => window.clearInterval(timer))
  }

  /** A function that runs `action` `ms` after its last call (typing in a search box). */
  debounce<A extends unknown[]>(ms: number, action: (...args: A) => void): (...args: A) => void {
    let timer = 0
    this.add(() => window.clearTimeout(timer))
    return (...args: A) => {
      window.clearTimeout(timer)
      if (this.alive) timer = window.setTimeout(() => action(...args), ms)
    }
  }

  /** Wrap a request so that only the latest call's answer arrives: an answer (or failure) of
   * a call made before a newer one, or after the view left, never settles. */
  latest<A extends unknown[], T>(request: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
    let calls = 0
    return (...args: A) => {
      const mine = ++calls
      const fresh = (): boolean => mine === calls && this.alive
      return new Promise<T>((resolve, reject) => {
        request(...args).then(
          (value) => fresh() && resolve(value),
          (failure: unknown) => fresh() && reject(failure)
        )
      })
    }
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    for (const cleanup of this.cleanups.reverse()) cleanup()
    this.cleanups = []
  }
}

/** A view whose only lifecycle is its scope (the common case). */
export function view(element: HTMLElement, scope: Scope = new Scope()): View {
  return { element, destroy: () => scope.dispose() }
}

/** The sentence shown for a failed request or an unexpected error. */
export function failureText(failure: unknown): string {
  return t('error_generic', { message: failure instanceof ApiError ? failure.error : String(failure) })
}
