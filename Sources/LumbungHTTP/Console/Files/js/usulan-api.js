// The Usulan page's writes and file transfers, through api.js's one `send`: JSON posts, evidence
// uploads and evidence bytes. A refusal is api.js's APIError, with the problem's `errors`.

import * as api from "./api.js";

/** POST `body` as JSON to `path` and its JSON answer. */
export async function post(path, body = {}) {
  return (await api.send(path, { method: "POST", body: JSON.stringify(body), type: "application/json" })).json();
}

/** GET `path` and its JSON. */
export const get = (path) => api.get(path);

/** Uploads `file` to POST /v1/evidence (its own media type) and returns {digest, media_type, size}. */
export async function upload(file) {
  return (await api.send("v1/evidence", { method: "POST", body: file, type: file.type || "application/octet-stream" })).json();
}

/** An attachment's bytes (GET /v1/evidence/{digest}) as a Blob. */
export async function evidence(digest) {
  return (await api.send(`v1/evidence/${encodeURIComponent(digest)}`, { accept: "*/*" })).blob();
}
