/**
 * A minimal event emitter (no dependency on Node's or the DOM's). A listener that throws does not stop the others;
 * its error goes to `onListenerError`.
 */
export class Emitter {
  #listeners = new Map();

  constructor(onListenerError = (err) => { queueMicrotask(() => { throw err; }); }) {
    this.onListenerError = onListenerError;
  }

  /** Adds a listener; returns a function that removes it. */
  on(type, listener) {
    if (typeof listener !== 'function') throw new TypeError(`listener for '${type}' must be a function`);
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => this.off(type, listener);
  }

  /** Adds a listener that runs once. */
  once(type, listener) {
    const off = this.on(type, (...args) => {
      off();
      listener(...args);
    });
    return off;
  }

  off(type, listener) {
    this.#listeners.get(type)?.delete(listener);
  }

  listenerCount(type) {
    return this.#listeners.get(type)?.size ?? 0;
  }

  emit(type, value) {
    const set = this.#listeners.get(type);
    if (!set || set.size === 0) return false;
    for (const listener of [...set]) {
      try {
        listener(value);
      } catch (err) {
        this.onListenerError(err, type);
      }
    }
    return true;
  }

  clear() {
    this.#listeners.clear();
  }
}
