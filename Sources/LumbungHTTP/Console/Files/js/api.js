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

/**
 * An answer that is not 2xx: its status and the problem document's code, `detail`, `errors`
 * (each `{field, value, rule}`) and the first error's `field`.
 */
export class APIError extends Error {
  constructor(status, problem = {}) {
    super(`${status} ${problem.code ?? ""}`);
    this.status = status;
    this.code = problem.code ?? null;
    this.detail = problem.detail ?? null;
    this.errors = problem.errors ?? [];
    this.field = this.errors[0]?.field ?? null;
  }
}

/**
 * `path` (relative to the API root, e.g. "v1/stats") with `options` (method, body, type: the
 * body's media type, accept, secret: another token than the signed-in one); the Response when
 * 2xx, else throws APIError with the problem document.
 */
export async function send(path, { method = "GET", body = null, type = null, accept = "application/json", secret = token() } = {}) {
  // The console is served at <root>/console/, so the API root is one level up.
  const url = new URL(`../${path}`, document.baseURI);
  const headers = { Authorization: `Bearer ${secret}`, Accept: accept };
  if (type) headers["Content-Type"] = type;
  const response = await fetch(url, { method, headers, body });
  if (!response.ok) {
    let problem = {};
    try { problem = await response.json(); } catch { /* not a problem document */ }
    throw new APIError(response.status, problem);
  }
  return response;
}

/** GET `path` and its JSON; throws APIError. */
export async function get(path, secret = token()) {
  return (await send(path, { secret })).json();
}

/** Saves an answer as a file: a blob URL behind an `<a download>` (the token stays a header, never a URL). */
export async function saveAs(response, fallbackName) {
  const disposition = response.headers.get("Content-Disposition") ?? "";
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName;
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its bytes once the click is handled; the URL can go after.
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  return name;
}
