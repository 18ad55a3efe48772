// The Usulan page's writes and file transfers through the public /v1 API: JSON posts, evidence
// uploads and evidence bytes, each with the signed-in token as the Bearer header (api.js holds
// the token and the reads).

import * as api from "./api.js";

/** The URL of `path` under the API root (the console is served one level below it). */
function url(path) {
  return new URL(`../${path}`, document.baseURI);
}

/** Throws the answer as an APIError carrying the problem's `errors` (field, value, rule). */
async function refuse(response) {
  let problem = {};
  try { problem = await response.json(); } catch { /* not a problem document */ }
  const error = new api.APIError(response.status, problem.code);
  error.detail = problem.detail ?? null;
  error.errors = problem.errors ?? [];
  throw error;
}

/** POST `body` as JSON to `path` and its JSON answer; throws an APIError with the problem's errors. */
export async function post(path, body = {}) {
  const response = await fetch(url(path), {
    method: "POST",
    headers: { Authorization: `Bearer ${api.token()}`, Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) await refuse(response);
  return response.json();
}

/** A GET like api.get, but a refusal carries the problem's errors too. */
export async function get(path) {
  const response = await fetch(url(path), { headers: { Authorization: `Bearer ${api.token()}`, Accept: "application/json" } });
  if (!response.ok) await refuse(response);
  return response.json();
}

/** Uploads `file` to POST /v1/evidence (its own media type) and returns {digest, media_type, size}. */
export async function upload(file) {
  const response = await fetch(url("v1/evidence"), {
    method: "POST",
    headers: { Authorization: `Bearer ${api.token()}`, Accept: "application/json", "Content-Type": file.type || "application/octet-stream" },
    body: file,
  });
  if (!response.ok) await refuse(response);
  return response.json();
}

/** An attachment's bytes (GET /v1/evidence/{digest}) as a Blob. */
export async function evidence(digest) {
  const response = await fetch(url(`v1/evidence/${encodeURIComponent(digest)}`), { headers: { Authorization: `Bearer ${api.token()}` } });
  if (!response.ok) await refuse(response);
  return response.blob();
}
