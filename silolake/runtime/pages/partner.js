// Partner upload page: POST /session with username + password, then upload straight to
// the chosen flow's folder in the dropzone bucket (<partner>/<flow>/<file>) with the
// temporary credentials it returns, and show what landing decided (accepted into raw, or
// quarantined with the reason) by polling the file's status record.
// The credentials live in memory only (a reload signs the partner out).
import { callApi, formatBytes, loadConfig, show } from "./common.js";
import { uploadFile, waitForStatus } from "./upload.js";

const $ = (id) => document.getElementById(id);
let session = null;

function chosenFlow() {
  return session?.flows.find((f) => f.name === $("flow").value);
}

function describeFlow() {
  const flow = chosenFlow();
  if (!flow) return;
  $("target").textContent = `${session.bucket}/${flow.prefix}`;
  const columns = flow.columns.length ? `, columns in this order: ${flow.columns.join(", ")}` : "";
  $("flow-help").textContent = `Expected: ${flow.format.toUpperCase()} files${columns}.`;
}

async function signIn(event) {
  event.preventDefault();
  show($("message"), "");
  $("sign-in-button").disabled = true;
  try {
    const { status, data } = await callApi("POST", "/session", {
      body: { username: $("username").value.trim(), password: $("password").value },
    });
    $("password").value = "";
    if (status !== 200) {
      const text = status === 503 ? "Your credential is still being set up; try again in a minute." : data.message;
      show($("message"), `Sign-in failed: ${text || `HTTP ${status}`}`, "error");
      return;
    }
    session = data;
    $("who").textContent = data.username;
    $("flow").replaceChildren(
      ...data.flows.map((f) => Object.assign(document.createElement("option"), { value: f.name, textContent: f.name })),
    );
    $("sign-in").hidden = true;
    $("upload").hidden = false;
    describeFlow();
    if (!data.channels.includes("upload") || !data.flows.length) {
      show($("message"), "This credential may not send any flow from the web page.", "error");
      $("upload-button").disabled = true;
    }
  } catch (error) {
    show($("message"), `Sign-in failed: ${error.message}`, "error");
  } finally {
    $("sign-in-button").disabled = false;
  }
}

function log(text) {
  const item = document.createElement("li");
  item.textContent = text;
  $("log").append(item);
}

function verdict(file, record) {
  if (!record) return `${file}: no decision yet; look again later.`;
  if (record.status === "landed") return `${file}: accepted into raw.`;
  return `${file}: quarantined: ${record.reason}`;
}

async function report(file, key, config) {
  const item = document.createElement("li");
  item.dataset.key = key;
  item.textContent = `${file}: waiting for the checks...`;
  $("statuses").prepend(item);
  try {
    const record = await waitForStatus(session, config, key);
    item.textContent = verdict(file, record);
    item.className = record?.status ?? "";
  } catch (error) {
    item.textContent = `${file}: status unavailable (${error.message})`;
  }
}

async function upload() {
  const file = $("file").files[0];
  const flow = chosenFlow();
  if (!file || !session || !flow) return;
  show($("message"), "");
  $("upload-button").disabled = true;
  $("progress").value = 0;
  try {
    const config = await loadConfig();
    const key = await uploadFile(file, flow, session, config, {
      onProgress: (done, total) => {
        $("progress").value = total ? Math.floor((100 * done) / total) : 100;
        $("progress-text").textContent = `${formatBytes(done)} of ${formatBytes(total)}`;
      },
      log,
    });
    log(`uploaded ${key} (${formatBytes(file.size)})`);
    show($("message"), `Uploaded ${file.name}.`, "success");
    report(file.name, key, config); // not awaited: the partner may upload the next file meanwhile
  } catch (error) {
    show($("message"), `Upload failed: ${error.message}`, "error");
  } finally {
    $("upload-button").disabled = false;
  }
}

function signOut() {
  session = null;
  $("upload").hidden = true;
  $("sign-in").hidden = false;
  $("log").replaceChildren();
  $("statuses").replaceChildren();
}

$("sign-in").addEventListener("submit", signIn);
$("flow").addEventListener("change", describeFlow);
$("upload-button").addEventListener("click", upload);
$("sign-out").addEventListener("click", signOut);
