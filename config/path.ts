/** A zod issue path as the user writes it: logicAppsOauth.calls[2].to */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    // A key from the file (a tag name, an unknown key) may hold anything: quote it unless it is a plain word.
    // A long one is quoted (and cut) too.
    if (typeof key !== 'string' || !/^[A-Za-z_$][-A-Za-z0-9_$]*$/.test(key) || key.length > 56) return `${acc}[${quoteKey(String(key))}]`;
    return acc ? `${acc}.${key}` : key;
  }, '');
}

/** A key from the file, quoted for a message; a very long one is cut (the message stays one readable line). */
export function quoteKey(key: string, max = 60): string {
  const quoted = JSON.stringify(key);
  return quoted.length > max ? `${quoted.slice(0, max - 4)}..."` : quoted;
}
