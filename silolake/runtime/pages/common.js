// Shared by both pages: runtime configuration and JSON calls to the partner HTTP API.
// config.json is written per deployment (Terraform) or by `silolake portal`, never built in.

let configPromise = null;

export function loadConfig() {
  if (!configPromise) {
    configPromise = fetch("config.json", { cache: "no-store" }).then((r) => {
      if (!r.ok) throw new Error(`config.json: HTTP ${r.status}`);
      return r.json();
    });
  }
  return configPromise;
}

export async function callApi(method, path, { body, token } = {}) {
  const cfg = await loadConfig();
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(cfg.apiUrl.replace(/\/$/, "") + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
    credentials: "omit",
  });
  let data = {};
  try {
    data = await response.json();
  } catch {
    data = {};
  }
  return { status: response.status, ok: response.ok, data };
}

export function show(element, text, kind = "info") {
  element.textContent = text;
  element.className = `message ${kind}`;
  element.hidden = !text;
}

export function formatBytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i += 1;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}
