/**
 * A busybox shell command that GETs a URL, retrying for up to five seconds
 * while the server starts; prints the body, exits non-zero if it never answers.
 */
export function httpGetWhenUp(url: string): string[] {
  return ['sh', '-c', `for i in $(seq 50); do wget -q -O - ${url} && exit 0; sleep 0.1; done; exit 1`];
}
