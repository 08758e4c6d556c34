// Spies on the globals that make Node load its whole fetch implementation on first touch (in Node
// 18 and 20 `Headers`, `Response`, `Request` and `FormData` are lazy getters; the first touch of one costs
// ~20-30 ms, more than the rest of a cold start). Shared by the package tests that check the connector
// never touches them; call it before the package is imported.

/** The globals spied on. */
export const LAZY = ['Headers', 'Response', 'Request', 'FormData'];

/**
 * Replaces each lazy global that exists with a getter that records its name in `touched` and then
 * reads the original (assigning one replaces the spy with a plain value). Returns `{ touched, watched }`.
 */
export function spyOnLazyGlobals() {
  const touched = [];
  const watched = [];
  for (const name of LAZY) {
    const original = Object.getOwnPropertyDescriptor(globalThis, name);
    if (original === undefined) continue;
    watched.push(name);
    // Reading a data property's value is harmless; only an accessor's getter does the loading.
    const read = original.get ? () => original.get.call(globalThis) : () => original.value;
    Object.defineProperty(globalThis, name, {
      configurable: true,
      enumerable: original.enumerable,
      get() {
        touched.push(name);
        return read();
      },
      set(value) {
        Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: original.enumerable });
      },
    });
  }
  return { touched, watched };
}
