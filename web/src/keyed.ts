// Children kept by key. A list that changes (lines, comment threads, rows of a board) moves the
// elements it already has instead of rebuilding them, so an input someone is typing in keeps
// its value, caret and focus, and its bindings stay attached.

export interface Keyed {
  readonly element: Element
}

/** The parts of `T`s (a line id, a thread), each shown by a `V` found again by the `T`'s key. */
export class KeyedList<T, K, V extends Keyed> {
  private readonly items = new Map<K, V>()

  constructor(
    private readonly parent: Element,
    private readonly keyOf: (item: T) => K,
    /** Build the part for an item whose key is new. */
    private readonly make: (item: T) => V,
    /** A key left the list (after its element was removed). */
    private readonly dropped: (part: V, key: K) => void = () => undefined
  ) {}

  get(key: K): V | undefined {
    return this.items.get(key)
  }

  entries(): IterableIterator<[K, V]> {
    return this.items.entries()
  }

  values(): IterableIterator<V> {
    return this.items.values()
  }

  /** Make the parent's children the parts of `items`, in order; `update` runs for each. */
  sync(items: readonly T[], update: (part: V, item: T, index: number) => void = () => undefined): void {
    const wanted = new Set(items.map(this.keyOf))
    for (const [key, part] of this.items) {
      if (wanted.has(key)) continue
      part.element.remove()
      this.items.delete(key)
      this.dropped(part, key)
    }
    items.forEach((item, index) => {
      const key = this.keyOf(item)
      let part = this.items.get(key)
      if (!part) {
        part = this.make(item)
        this.items.set(key, part)
      }
      const atPlace = this.parent.children[index]
      if (atPlace !== part.element) this.parent.insertBefore(part.element, atPlace ?? null)
      update(part, item, index)
    })
  }
}
