// The Usulan page's labelled fields and the API's refusals shown beside them: each problem
// `errors[]` entry names a field (`rumah_tangga.anggota[1].nik`, `berita_acara`, `bukti`,
// `catatan`), and goes to the element whose `data-field` is that name or its nearest parent.

import { t } from "./labels.js";
import { el } from "./dom.js";

/** A labelled field: `label` for `input` (id `id`), named `path` as the API names it. */
export function field(id, label, path, input) {
  return el("div", { class: "field", "data-field": path },
    el("label", { for: id, text: label }),
    input);
}

/** Removes the errors shown by a previous attempt. */
export function clearErrors(root) {
  root.querySelectorAll(".field-error").forEach((node) => node.remove());
  root.querySelectorAll("[aria-invalid]").forEach((node) => {
    node.removeAttribute("aria-invalid");
    node.removeAttribute("aria-describedby");
  });
}

/** Shows each of the refusal's errors next to the field it names (inside `root`), and returns
 *  the summary for the form's message: the problem's detail, and the errors no field took. */
export function showErrors(root, error) {
  const items = error.errors ?? [];
  const unplaced = [];
  items.forEach((item, index) => {
    const target = item.field ? place(root, item.field) : null;
    if (!target) {
      unplaced.push(item);
      return;
    }
    const id = `${target.dataset.field.replace(/[^A-Za-z0-9]+/g, "-")}-error-${index}`;
    target.append(el("p", { class: "error field-error", id, "data-error-field": item.field, text: message(item) }));
    const input = target.matches(".field") ? target.querySelector("input, select, textarea") : null;
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", id);
    }
  });
  const summary = el("div", { class: "error", role: "alert" },
    el("p", { text: error.detail ?? `${t("failed")} (${error.message})` }),
    unplaced.length === 0 ? null : el("ul", {}, unplaced.map((item) => el("li", { text: message(item) }))));
  root.querySelector(".field-error")?.closest(".field, fieldset")?.querySelector("input, select, textarea")?.focus();
  return summary;
}

/** The visible element named `name`, or its nearest named parent (`a.b[2].c` → `a.b[2]` → `a.b` → `a`). */
function place(root, name) {
  for (let path = name; path; path = path.replace(/(\.[^.[\]]*|\[[0-9]+\])$/, "")) {
    const found = [...root.querySelectorAll("[data-field]")].find((node) => node.dataset.field === path && node.offsetParent !== null);
    if (found) return found;
    if (!/[.[]/.test(path)) break;
  }
  return null;
}

function message(item) {
  return [item.field, item.value ? `'${item.value}'` : null, item.rule ?? item.message].filter(Boolean).join(": ");
}
