/**
 * Non-ASCII letters that Go's encoding/json folds onto an ASCII letter when it
 * matches object keys to struct fields (`unicode.ToUpper(unicode.ToLower(r))`
 * since Go 1.21, `bytes.EqualFold` before): the long s and the Kelvin sign
 * everywhere, the Turkish dotted/dotless i in newer Go.
 */
const FOLDS_TO_ASCII: Readonly<Record<string, string>> = {
  '\u017f': 'S', // ſ LATIN SMALL LETTER LONG S
  '\u212a': 'K', // K KELVIN SIGN
  '\u0130': 'I', // İ LATIN CAPITAL LETTER I WITH DOT ABOVE
  '\u0131': 'I', // ı LATIN SMALL LETTER DOTLESS I
};

/**
 * The key as the engine's JSON decoder compares it to struct field names:
 * two keys with the same fold address the same field.
 */
export function goFold(key: string): string {
  let folded = '';
  for (const char of key) folded += FOLDS_TO_ASCII[char] ?? char.toUpperCase();
  return folded;
}
