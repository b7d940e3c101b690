/** A zod issue path as the user writes it: logicAppsOauth.calls[2].to */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    // A key from the file (a tag name, an unknown key) may hold anything: quote it unless it is a plain word.
    if (typeof key !== 'string' || !/^[A-Za-z_$][-A-Za-z0-9_$]*$/.test(key)) return `${acc}[${JSON.stringify(String(key))}]`;
    return acc ? `${acc}.${key}` : key;
  }, '');
}
