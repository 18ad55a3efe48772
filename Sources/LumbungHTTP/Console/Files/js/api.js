// The console's only way to the server: the public /v1 API, with the signed-in token as the
// Bearer header. The token lives in sessionStorage (this tab only), never in a URL.

const storageKey = "lumbung.token";

/** The signed-in token, or null. */
export function token() {
  return sessionStorage.getItem(storageKey);
}

export function signIn(secret) {
  sessionStorage.setItem(storageKey, secret);
}

export function signOut() {
  sessionStorage.removeItem(storageKey);
}

/** An answer that is not 2xx: its status and the problem document's code. */
export class APIError extends Error {
  constructor(status, code) {
    super(`${status} ${code ?? ""}`);
    this.status = status;
    this.code = code;
  }
}

/** GET `path` (relative to the API root, e.g. "v1/stats") and its JSON; throws APIError. */
export async function get(path, secret = token()) {
  // The console is served at <root>/console/, so the API root is one level up.
  const url = new URL(`../${path}`, document.baseURI);
  const response = await fetch(url, { headers: { Authorization: `Bearer ${secret}`, Accept: "application/json" } });
  if (!response.ok) {
    let code = null;
    try { code = (await response.json()).code; } catch { /* not a problem document */ }
    throw new APIError(response.status, code);
  }
  return response.json();
}
