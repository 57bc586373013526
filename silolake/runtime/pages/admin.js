// Admin page: staff sign in through the silo's Cognito hosted UI (authorization code
// flow with PKCE: a public client, no secret in the page) and manage partner
// credentials through the JWT-protected /credentials routes. In `silolake portal` only,
// config.localSignIn swaps Cognito for a clearly labelled local stand-in.
import { callApi, loadConfig, show } from "./common.js";

const $ = (id) => document.getElementById(id);
const CHANNELS = ["sftp", "upload", "api"];
let token = sessionStorage.getItem("silolake-id-token");
let staff = sessionStorage.getItem("silolake-staff");

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function redirectUri() {
  return `${location.origin}${location.pathname}`;
}

async function hostedSignIn() {
  const cfg = await loadConfig();
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem("silolake-pkce", JSON.stringify({ verifier, state }));
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: cfg.clientId,
    redirect_uri: redirectUri(),
    scope: "openid email",
    code_challenge_method: "S256",
    code_challenge: challenge,
    state,
  });
  location.assign(`${cfg.authUrl}/oauth2/authorize?${query}`);
}

async function finishHostedSignIn(code, state) {
  const cfg = await loadConfig();
  const pkce = JSON.parse(sessionStorage.getItem("silolake-pkce") || "{}");
  sessionStorage.removeItem("silolake-pkce");
  history.replaceState(null, "", redirectUri());
  if (!pkce.verifier || pkce.state !== state) throw new Error("sign-in state mismatch; start again");
  const response = await fetch(`${cfg.authUrl}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: cfg.clientId,
      code,
      redirect_uri: redirectUri(),
      code_verifier: pkce.verifier,
    }),
  });
  if (!response.ok) throw new Error(`token exchange failed (HTTP ${response.status})`);
  const tokens = await response.json();
  const claims = JSON.parse(atob(tokens.id_token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
  remember(tokens.id_token, claims.email || claims["cognito:username"]);
}

async function localSignIn(event) {
  event.preventDefault();
  const { status, data } = await callApi("POST", "/local-sign-in", { body: { email: $("local-email").value } });
  if (status !== 200) return show($("message"), data.message || `HTTP ${status}`, "error");
  remember(data.token, data.email);
  render();
}

function remember(newToken, who) {
  token = newToken;
  staff = who;
  sessionStorage.setItem("silolake-id-token", token);
  sessionStorage.setItem("silolake-staff", staff);
}

function signOut() {
  token = staff = null;
  sessionStorage.removeItem("silolake-id-token");
  sessionStorage.removeItem("silolake-staff");
  render();
}

async function api(method, path, body) {
  const result = await callApi(method, path, { body, token });
  if (result.status === 401) signOut();
  return result;
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.append(td);
  return td;
}

// The flows a credential may be given: one checkbox each, shown only while the flow's
// channel (its source) is ticked; all ticked by default (the API's default too).
function renderFlows(flows) {
  const fieldset = $("new-flows");
  if (fieldset.querySelector("input")) return;
  for (const f of flows) {
    const label = document.createElement("label");
    label.className = "inline";
    label.dataset.source = f.source;
    const box = document.createElement("input");
    box.type = "checkbox";
    box.id = `flow-${f.name}`;
    box.value = f.name;
    box.defaultChecked = box.checked = true;
    label.append(box, ` ${f.name} (${f.source})`);
    fieldset.append(label);
  }
  showFlowsOfChannels();
}

function showFlowsOfChannels() {
  for (const label of $("new-flows").querySelectorAll("label")) {
    label.hidden = !$(`channel-${label.dataset.source}`)?.checked;
  }
}

function chosenFlows() {
  return [...$("new-flows").querySelectorAll("label")]
    .filter((label) => !label.hidden)
    .map((label) => label.querySelector("input"))
    .filter((box) => box.checked)
    .map((box) => box.value);
}

async function refresh() {
  const { ok, data, status } = await api("GET", "/credentials");
  if (!ok) return show($("message"), data.message || `HTTP ${status}`, "error");
  renderFlows(data.flows ?? []);
  const body = $("credentials");
  body.replaceChildren();
  for (const c of data.credentials) {
    const row = document.createElement("tr");
    row.dataset.username = c.username;
    cell(row, c.username);
    cell(row, c.channels.join(", "));
    cell(row, c.flows ? c.flows.join(", ") : "all of its channels");
    cell(row, c.cidrs.length ? c.cidrs.join(", ") : "any allowed");
    cell(row, c.expired ? `${c.expires_at} (expired)` : c.expires_at);
    cell(row, c.created_by);
    cell(row, c.status);
    const actions = cell(row, "");
    for (const [label, handler] of [["Rotate", rotate], ["Revoke", revoke]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      button.className = `secondary ${label.toLowerCase()}`;
      button.addEventListener("click", () => handler(c.username));
      actions.append(button);
    }
    body.append(row);
  }
}

function showPassword(username, password) {
  $("secret-user").textContent = username;
  $("secret-password").textContent = password;
  $("secret").hidden = false;
}

async function create(event) {
  event.preventDefault();
  show($("message"), "");
  const channels = CHANNELS.filter((c) => $(`channel-${c}`)?.checked);
  const cidrs = $("new-cidrs").value.split(",").map((s) => s.trim()).filter(Boolean);
  const body = {
    username: $("new-username").value.trim(),
    expiry_days: Number($("new-days").value),
    channels,
    flows: chosenFlows(),
  };
  if (cidrs.length) body.cidrs = cidrs;
  const { status, data } = await api("POST", "/credentials", body);
  if (status !== 201) return show($("message"), data.message || `HTTP ${status}`, "error");
  showPassword(data.credential.username, data.password);
  $("create").reset();
  showFlowsOfChannels();
  await refresh();
}

async function rotate(username) {
  if (!confirm(`Rotate the password of ${username}? The current one stops working at once.`)) return;
  const { status, data } = await api("POST", `/credentials/${encodeURIComponent(username)}/rotate`);
  if (status !== 200) return show($("message"), data.message || `HTTP ${status}`, "error");
  showPassword(username, data.password);
}

async function revoke(username) {
  if (!confirm(`Revoke ${username}? Sign-in stops at once on every channel.`)) return;
  const { status, data } = await api("DELETE", `/credentials/${encodeURIComponent(username)}`);
  if (status !== 200) return show($("message"), data.message || `HTTP ${status}`, "error");
  show($("message"), `Revoked ${username}.`, "success");
  await refresh();
}

async function render() {
  const cfg = await loadConfig();
  $("hosted-sign-in").hidden = cfg.localSignIn;
  $("local-sign-in").hidden = !cfg.localSignIn;
  $("signed-out").hidden = Boolean(token);
  $("signed-in").hidden = !token;
  if (!token) return;
  $("staff").textContent = staff;
  const fieldset = $("new-channels");
  if (!fieldset.querySelector("input")) {
    for (const c of cfg.channels ?? CHANNELS) {
      const label = document.createElement("label");
      label.className = "inline";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = `channel-${c}`;
      box.defaultChecked = box.checked = c !== "api";
      box.addEventListener("change", showFlowsOfChannels);
      label.append(box, ` ${c}`);
      fieldset.append(label);
    }
  }
  await refresh();
}

async function start() {
  $("hosted-sign-in").addEventListener("click", hostedSignIn);
  $("local-sign-in").addEventListener("submit", localSignIn);
  $("sign-out").addEventListener("click", signOut);
  $("create").addEventListener("submit", create);
  $("secret-done").addEventListener("click", () => {
    $("secret-password").textContent = "";
    $("secret").hidden = true;
  });
  const params = new URLSearchParams(location.search);
  try {
    if (params.get("code")) await finishHostedSignIn(params.get("code"), params.get("state"));
    await render();
  } catch (error) {
    show($("message"), error.message, "error");
  }
}

start();
