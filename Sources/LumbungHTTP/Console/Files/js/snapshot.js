// The Snapshot page: the monthly snapshots from /v1/snapshots with each one's verify status,
// and a chart of households added and removed per kecamatan between two snapshots the user
// picks (/v1/snapshots/diff?by=kecamatan). Every number is the API's, cut to the token's scope.

import { t } from "./labels.js";
import { el, table } from "./dom.js";
import * as api from "./api.js";

/** Renders the list and the comparison form into `root`. */
export async function snapshotPage(root) {
  const heading = el("h1", { tabindex: "-1", text: t("snapshotTitle") });
  const list = el("section", { class: "panel", id: "snapshot-list", "aria-live": "polite" }, el("p", { class: "note", text: "…" }));
  root.append(heading, list);
  let snapshots;
  try {
    snapshots = (await api.get("v1/snapshots")).snapshots;
  } catch (error) {
    list.replaceChildren(el("p", { class: "error", role: "alert", text: `${t("failed")} (${error.message})` }));
    return;
  }
  // Another page opened meanwhile: this one is gone.
  if (!list.isConnected) return;
  if (snapshots.length === 0) {
    list.replaceChildren(el("p", { class: "note", text: t("noSnapshots") }));
    return;
  }
  list.replaceChildren(table(t("snapshotList"), [t("period"), t("createdAt"), t("households"), t("members"), t("verifyStatus")],
    snapshots.map((snapshot) => [snapshot.period, snapshot.created_at, String(snapshot.households), String(snapshot.members),
      el("span", { class: `verify ${snapshot.verify_status ?? ""}`, "data-period": snapshot.period, text: t(`verify_${snapshot.verify_status ?? "unknown"}`) })])));
  root.append(diffForm(snapshots.map((snapshot) => snapshot.period)));
}

/** The two month pickers (the newest two preselected; `live` is the register as it is now) and the chart. */
function diffForm(periods) {
  const picker = (id, label, options, chosen) => el("div", { class: "field" },
    el("label", { for: id, text: label }),
    el("select", { id, name: id }, options.map(([value, text]) => el("option", { value, text, selected: value === chosen }))));
  const months = periods.map((period) => [period, period]);
  const from = periods.length > 1 ? periods[periods.length - 2] : periods[0];
  const to = periods.length > 1 ? periods[periods.length - 1] : "live";
  const chart = el("div", { id: "snapshot-diff", "aria-live": "polite" });
  const form = el("form", { class: "panel", id: "snapshot-diff-form" },
    el("h2", { text: t("diffTitle") }),
    el("div", { class: "row" },
      picker("diff-from", t("diffFrom"), months, from),
      picker("diff-to", t("diffTo"), [...months, ["live", t("live")]], to)),
    el("button", { type: "submit", id: "diff-compare", text: t("compare") }),
    chart);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    chart.replaceChildren(el("p", { class: "note", text: "…" }));
    chart.replaceChildren(await diffChart(form.elements["diff-from"].value, form.elements["diff-to"].value));
  });
  return form;
}

/** The diff's totals and one row per kecamatan: a bar of households added and one of removed. */
async function diffChart(from, to) {
  let diff;
  try {
    diff = await api.get(`v1/snapshots/diff?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&by=kecamatan`);
  } catch (error) {
    return el("p", { class: "error", role: "alert", text: `${t("failed")} (${error.message})` });
  }
  const regions = diff.regions.filter((region) => region.added > 0 || region.removed > 0);
  const most = Math.max(1, ...regions.map((region) => Math.max(region.added, region.removed)));
  // A bar's width is set through the CSSOM, which the CSP allows (a style attribute it would not).
  const bar = (kind, count) => {
    const node = el("span", { class: `diff-bar ${kind}` });
    node.style.width = count === 0 ? "0" : `max(2px, ${(100 * count) / most}%)`;
    return el("span", { class: "diff-cell" }, node, el("span", { class: "diff-count", text: String(count) }));
  };
  const rows = regions.map((region) => el("li", {
    class: "diff-row", "data-wilayah": region.wilayah ?? "", "data-added": String(region.added), "data-removed": String(region.removed),
    "aria-label": `${region.nama}: ${t("added")} ${region.added}, ${t("removed")} ${region.removed}`,
  },
  el("span", { class: "diff-name", text: `${region.nama} (${region.wilayah ?? "—"})` }), bar("added", region.added), bar("removed", region.removed)));
  return el("div", {},
    el("p", { id: "diff-total", "data-added": String(diff.added), "data-removed": String(diff.removed),
      text: `${diff.from} → ${diff.to}: ${t("added")} ${diff.added} · ${t("removed")} ${diff.removed} · ${t("changed")} ${diff.changed}` }),
    regions.length === 0 ? el("p", { class: "note", text: t("noDifference") })
      : el("figure", { class: "diff-chart" },
        el("figcaption", { class: "note" },
          el("span", { class: "key added", text: t("added") }), " ", el("span", { class: "key removed", text: t("removed") }),
          ` ${t("perKecamatan")}`),
        el("ol", { class: "diff-rows" }, rows)));
}
