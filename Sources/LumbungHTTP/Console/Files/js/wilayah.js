// The Wilayah page: counts from /v1/stats for the token's scope, drilled down provinsi →
// kabupaten → kecamatan → desa. The server narrows every answer to the token's scope, so a
// desa operator starts (and stays) at their desa.

import { t } from "./labels.js";
import { el, readable, table } from "./dom.js";
import * as api from "./api.js";

/** Renders the scope's counts into `root`; a child's button opens that child's counts. */
export function wilayahPage(root) {
  const view = el("div", { id: "wilayah-view", "aria-live": "polite" });
  root.append(el("h1", { text: t("wilayahTitle") }), view);
  show(view, []);
}

/** Shows the counts of the last of `trail` (the wilayah visited, from the scope down; none: the scope). */
async function show(view, trail) {
  const code = trail.length > 0 ? trail[trail.length - 1].wilayah : null;
  let stats;
  try {
    stats = await api.get(code ? `v1/stats?wilayah=${encodeURIComponent(code)}` : "v1/stats");
  } catch (error) {
    const text = error instanceof api.APIError && error.status === 404 ? t("notFound") : `${t("failed")} (${error.message})`;
    view.replaceChildren(el("p", { class: "error", role: "alert", text }));
    return;
  }
  const here = trail.length > 0 ? trail : [{ wilayah: stats.wilayah, nama: stats.nama }];
  const crumbs = el("nav", { "aria-label": t("wilayahTrail"), class: "crumbs" },
    el("ol", {}, here.map((step, index) => el("li", {},
      index === here.length - 1
        ? el("span", { "aria-current": "location", text: step.nama })
        : el("button", { type: "button", class: "link", text: step.nama, onclick: () => show(view, here.slice(0, index + 1)) })))));
  const most = Math.max(1, ...stats.children.map((child) => child.households));
  const children = stats.children.length === 0 ? el("p", { class: "note", text: t("noChildren") })
    : table(t("wilayahChildren"), [t("wilayah"), t("kodeWilayah"), t("households"), t("members"), t("chart")],
      stats.children.map((child) => [
        el("button", { type: "button", class: "link", text: child.nama, onclick: () => show(view, [...here, { wilayah: child.wilayah, nama: child.nama }]) }),
        child.wilayah, String(child.households), String(child.members),
        el("meter", { min: "0", max: String(most), value: String(child.households), "aria-label": `${child.nama}: ${child.households}` }),
      ]));
  const counts = (title, byName) => table(title, [title, t("households"), t("members")],
    Object.entries(byName ?? {}).map(([name, count]) => [readable(name), String(count.households), String(count.members)]));
  view.replaceChildren(
    crumbs,
    el("section", { class: "panel", id: "wilayah-summary", "data-wilayah": stats.wilayah ?? "" },
      el("h2", { tabindex: "-1", text: `${stats.nama}${stats.wilayah ? ` (${stats.wilayah})` : ""}` }),
      el("p", { id: "wilayah-total", text: `${t("households")}: ${stats.total.households} · ${t("members")}: ${stats.total.members}` }),
      children),
    el("section", { class: "panel grid" },
      counts(t("status"), stats.status), counts(t("program"), stats.program), counts(t("desil"), stats.desil)));
  view.querySelector("h2").focus();
}
