// The route table: a path pattern in the URL's hash (so the server serves one page), who may
// see it, and the view it shows. `route('invoices/:id', ...)` types its view's `params.id`.
// The router owns the current view: it destroys it before showing the next, shows a loading
// line while an async view loads, and drops a view whose route was left before it loaded.

import type { Me } from './api'
import type { View } from './view'

/** `a/:x/b/:y` → { x: string; y: string } */
export type Params<P extends string> = P extends `${infer Head}/${infer Rest}`
  ? Params<Head> & Params<Rest>
  : P extends `:${infer Name}`
    ? { [K in Name]: string }
    : Record<never, never>

/** Who sees a route: only signed-out people, only members (others go to sign in), anyone. */
export type Access = 'anonymous' | 'member' | 'any'

export interface RouteContext<P, M extends Me | null = Me | null> {
  params: P
  query: URLSearchParams
  /** The signed-in user (always there on a 'member' route). */
  me: M
  /** Is this still the route shown? (false once the person went elsewhere) */
  current(): boolean
  /** Show the route again (after a change that is not in the address, e.g. the language). */
  refresh(): void
}

/** A view, or a redirect (a hash to go to instead). */
export type Outcome = View | { redirect: string }

export interface Route {
  readonly pattern: string
  readonly access: Access
  match(path: string[]): Record<string, string> | null
  show(context: RouteContext<Record<string, string>>): Outcome | Promise<Outcome>
}

export function route<P extends string, A extends Access>(
  pattern: P,
  access: A,
  show: (context: RouteContext<Params<P>, A extends 'member' ? Me : Me | null>) => Outcome | Promise<Outcome>
): Route {
  const parts = pattern.split('/').filter(Boolean)
  return {
    pattern,
    access,
    match(path) {
      if (path.length !== parts.length) return null
      const params: Record<string, string> = {}
      for (const [index, part] of parts.entries()) {
        const value = path[index] ?? ''
        if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(value)
        else if (part !== value) return null
      }
      return params
    },
    show: show as Route['show']
  }
}

export function parseHash(hash: string): { path: string[]; query: URLSearchParams } {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?')
  return { path: path.split('/').filter(Boolean), query: new URLSearchParams(query) }
}

export interface RouterHost {
  /** Runs before any route; a non-null outcome is shown instead (the first-run page). */
  guard(path: string[]): Promise<Outcome | null>
  /** The signed-in user, or null. */
  me(): Promise<Me | null>
  /** Put content in the page frame (the top bar when someone is signed in). */
  frame(content: HTMLElement, me: Me | null, refresh: () => void): View
  /** Where an unknown address, or one the person may not see, leads. */
  home(me: Me | null): string
  loading(): HTMLElement
  failed(failure: unknown): HTMLElement
}

export class Router {
  private view: View | null = null
  private frame: View | null = null
  private generation = 0

  constructor(
    private readonly routes: readonly Route[],
    private readonly host: RouterHost
  ) {}

  start(): void {
    window.addEventListener('hashchange', () => void this.navigate())
    void this.navigate()
  }

  /** Go to `hash`; when already there, show the route again. */
  go(hash: string): void {
    if (location.hash === hash) void this.navigate()
    else location.hash = hash
  }

  async navigate(): Promise<void> {
    const mine = ++this.generation
    const current = (): boolean => mine === this.generation
    const { path, query } = parseHash(location.hash)
    const guarded = await this.host.guard(path)
    if (!current()) return
    if (guarded) return this.settle(guarded, null, current)
    const me = await this.host.me()
    if (!current()) return
    const found = this.routes.map((r) => ({ route: r, params: r.match(path) })).find((m) => m.params !== null)
    if (!found?.params) return this.go(this.host.home(me))
    const { route: target, params } = found
    if ((target.access === 'member' && !me) || (target.access === 'anonymous' && me)) return this.go(this.host.home(me))
    const refresh = (): void => void this.navigate()
    const outcome = target.show({ params, query, me, current, refresh })
    if (!(outcome instanceof Promise)) return this.settle(outcome, me, current)
    this.put({ element: this.host.loading(), destroy: () => undefined }, me)
    try {
      const loaded = await outcome
      if (!current()) return 'element' in loaded ? loaded.destroy() : undefined
      this.settle(loaded, me, current)
    } catch (failure) {
      if (current()) this.put({ element: this.host.failed(failure), destroy: () => undefined }, me)
    }
  }

  private settle(outcome: Outcome, me: Me | null, current: () => boolean): void {
    if (!('element' in outcome)) return this.go(outcome.redirect)
    if (current()) this.put(outcome, me)
    else outcome.destroy()
  }

  private put(next: View, me: Me | null): void {
    this.view?.destroy()
    this.frame?.destroy()
    this.view = next
    this.frame = this.host.frame(next.element, me, () => void this.navigate())
  }
}

/** Keep the address in step with a view's own state (filters, a search) without navigating;
 *  only while the address still shows that view: a write that comes late (debounced typing)
 *  after the person clicked elsewhere would otherwise pull them back. */
export function followAddress(hash: string): void {
  if (location.hash === hash) return
  if (parseHash(location.hash).path.join('/') !== parseHash(hash).path.join('/')) return
  history.replaceState(null, '', hash)
}
