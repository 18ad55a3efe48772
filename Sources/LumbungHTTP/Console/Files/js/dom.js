// Building the page from data without HTML strings: every value goes in as text, so nothing
// the register holds can run as markup (and no inline script or style is needed under the CSP).

/** An element `tag` with `attributes` (`text` sets its text) and `children` (nodes or strings). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

/** A table with a header row of `headings` and one row per item of `rows` (arrays of cells). */
export function table(caption, headings, rows) {
  return el("div", { class: "table" },
    el("table", {},
      el("caption", { class: "note", text: caption }),
      el("thead", {}, el("tr", {}, headings.map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) => el("td", {}, c ?? "—")))))));
}

/** Facts as a description list of [label, value] pairs. */
export function facts(pairs) {
  return el("dl", { class: "facts" }, pairs.flatMap(([label, value]) => [el("dt", { text: label }), el("dd", {}, value ?? "—")]));
}

/** An enum value as people read it: `tidak_layak:mampu` → `tidak layak: mampu`. */
export function readable(value) {
  return value === null || value === undefined ? "—" : String(value).replaceAll("_", " ").replaceAll(":", ": ");
}
